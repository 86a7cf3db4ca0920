"""More of the words services write in English into rows, as pages show them in their language through
o2o.web.vocabulary: the sourcing engine's (o2o.fulfillment.sourcing writes its decision's reason, its search
method and what each rule did, for the API and the record: `|sourcing_reason`, `|sourcing_method`,
`|sourcing_rule`, and `|route_reason` of an order it placed) and an offline till sale's (its route reason
and history note: "till T01, offline sale S0001; sold at 2026-11-24T02:00:00+00:00"), a return's (what the
store received: "sku 3: 1 resellable, 0 damaged"; how a refund was paid: `|refund_kind`)."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts

TEXTS: dict[str, dict[str, str]] = catalog_texts("web.vocabulary_extra_texts")
