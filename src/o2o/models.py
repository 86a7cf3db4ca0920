"""Imports every area's tables so that Base.metadata is complete (Alembic, tests)."""

from o2o.adapters.messages import models as messages  # noqa: F401
from o2o.audit import models as audit  # noqa: F401
from o2o.cart import models as cart  # noqa: F401
from o2o.catalog import models as catalog  # noqa: F401
from o2o.couriers import models as couriers  # noqa: F401
from o2o.customers import models as customers  # noqa: F401
from o2o.fulfillment import models as fulfillment  # noqa: F401
from o2o.groupbuy import models as groupbuy  # noqa: F401
from o2o.iam import models as iam  # noqa: F401
from o2o.inventory import models as inventory  # noqa: F401
from o2o.inventory import transfer_models as inventory_transfers  # noqa: F401
from o2o.kernel import idempotency, outbox, sequences  # noqa: F401
from o2o.kernel.db import Base
from o2o.locations import models as locations  # noqa: F401
from o2o.loyalty import models as loyalty  # noqa: F401
from o2o.messaging import models as messaging  # noqa: F401
from o2o.orders import models as orders  # noqa: F401
from o2o.payments import models as payments  # noqa: F401
from o2o.pos import models as pos  # noqa: F401
from o2o.promotions import models as promotions  # noqa: F401
from o2o.returns import models as returns  # noqa: F401

metadata = Base.metadata
