"""Contact details from the closing lines: phones, e-mail, address, postcode."""
from __future__ import annotations

import re

from kg.extract.context import Context

CONTACT_CUE = re.compile(r"联系方式|联系电话|电话|邮政信箱|电子邮箱|邮箱|地址|邮政编码|邮编")
# A number: a landline with its area code and extension, a mobile, a local number, or a
# short hotline (12388, the discipline-inspection reporting line).
NUMBER = r"(?:(?:\(?0\d{2,3}\)?\s*[-—–]?\s*)?\d{7,8}(?:\s*[-—–转]\s*\d{1,5})?|1[3-9]\d{9}|1\d{4})(?!\d)"
# After a cue, one number or a list of them (电话:(0731)58581234、13800138000).
PHONES = re.compile(rf"(?:电话|热线|传真|手机)[::]?\s*{NUMBER}(?:\s*(?:、|,|/|或|和|及)\s*{NUMBER})*")
ONE_PHONE = re.compile(NUMBER)
EMAIL = re.compile(r"(?P<value>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
ADDRESS = re.compile(r"(?:通讯地址|通信地址|地址|邮政信箱|来信地址)[::]\s*(?P<value>[^;;,,。\n(]+)")
POSTCODE = re.compile(r"(?:邮政编码|邮编)[::]?\s*(?P<value>\d{6})(?!\d)")


def contacts(ctx: Context) -> dict:
    norm = ctx.norm
    # Contacts sit in the closing lines; reading only there keeps 12345 hotlines in the
    # body from passing for the organization's phone.
    first_cue = None
    for line in ctx.lines[-6:]:
        if CONTACT_CUE.search(line.text):
            first_cue = line.start
            break
    result = {"phones": [], "emails": [], "address": None, "postcode": None}
    if first_cue is None:
        return result
    for run in PHONES.finditer(norm, first_cue):
        cue = re.match(r"\D*", run.group()).end()  # the numbers start after the cue
        for m in ONE_PHONE.finditer(norm, run.start() + cue, run.end()):
            value = re.sub(r"\s*[—–]\s*|\s+", "-", m.group()).replace("(", "").replace(")", "-").replace("--", "-")
            result["phones"].append(ctx.fact(m.start(), m.end(), "contacts.phone", value=value))
    for m in EMAIL.finditer(norm, first_cue):
        value = m.group("value").rstrip(".")
        result["emails"].append(ctx.fact(m.start("value"), m.start("value") + len(value), "contacts.email", value=value))
    m = ADDRESS.search(norm, first_cue)
    if m:
        value = m.group("value").strip()
        result["address"] = ctx.fact(m.start("value"), m.start("value") + len(value), "contacts.address", value=value)
    m = POSTCODE.search(norm, first_cue)
    if m:
        result["postcode"] = ctx.fact(m.start("value"), m.end("value"), "contacts.postcode", value=m.group("value"))
    return result
