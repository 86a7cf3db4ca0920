"""A third language is a catalog (issue 12 point 16): the storefront in zh-TW (partial catalog) shows its
translations and falls back to zh-CN where it has none; the language switch offers it; Accept-Language
zh-Hant picks it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_the_storefront_in_traditional_chinese(client):
    r = client.get("/shop?lang=zh-TW")
    assert r.status_code == 200 and r.headers["content-language"] == "zh-TW"
    html = r.text
    assert '<html lang="zh-TW">' in html
    assert "購物車" in html and "我的訂單" in html  # translated in zh_TW
    assert "O2O 全通路零售" in html
    assert "选择门店后即可查看该店的价格和库存" in html  # not yet translated: zh_CN's text
    assert 'hreflang="zh-TW"' in html and "繁體中文" in html
    assert client.cookies.get("o2o_lang") == "zh-TW"  # the choice is remembered
    again = client.get("/shop").text
    assert '<html lang="zh-TW">' in again
    client.cookies.clear()
    assert '<html lang="zh-TW">' in client.get("/shop", headers={"Accept-Language": "zh-Hant-TW,zh;q=0.8"}).text
    assert '<html lang="zh-CN">' in client.get("/shop", headers={"Accept-Language": "zh-CN"}).text
