"""Signed-in callers for tests: staff users of any role, customers, integration keys.

Users are created and signed in through the iam services (no HTTP round trip), so a test can
say `headers = auth.staff("clerk", store_id=...)` and get a real bearer token.
"""

from __future__ import annotations

import itertools
from typing import Any

from o2o.iam import admin, service
from o2o.iam.schemas import ApiKeyIn, StaffIn

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Auth:
    def __init__(self, container: Any) -> None:
        self.c = container

    def staff_user(self, role: str, store_id: int | None = None, supplier_id: int | None = None,
                   login: str | None = None, password: str = PASSWORD) -> int:
        data = StaffIn(login=login or f"{role.replace('_', '-')}-{next(_seq)}", name=f"Test {role}", role=role,
                       store_id=store_id, supplier_id=supplier_id)
        with self.c.uow() as uow:
            user = admin.create_user(uow.session, data, uow.clock.now(), "test",
                                     password_hash=self.c.passwords.hash(password))
            uow.commit()
            return user.id

    def staff(self, role: str, store_id: int | None = None, supplier_id: int | None = None) -> dict[str, str]:
        user_id = self.staff_user(role, store_id, supplier_id)
        return self.session("staff", user_id)

    def customer(self, customer_id: int) -> dict[str, str]:
        return self.session("customer", customer_id)

    def session(self, kind: str, subject_id: int) -> dict[str, str]:
        tokens = service.sign_in_session(self.c.uow(), kind, subject_id, False, service.Client("test"),
                                         self.c.settings)
        return bearer(tokens.access_token)

    def key(self, scopes: list[str], store_id: int | None = None, rate_per_minute: int = 600) -> dict[str, str]:
        from o2o.kernel.auth import Principal

        admin_p = Principal("staff", 0, "test-admin", role="platform_admin")
        out = admin.create_key(self.c.uow(), admin_p, ApiKeyIn(name=f"key-{next(_seq)}", scopes=scopes,
                                                              store_id=store_id, rate_per_minute=rate_per_minute))
        return bearer(out.secret)
