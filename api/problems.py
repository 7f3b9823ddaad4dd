"""RFC 9457 problem details as casework says them: a stable `type` URI per rule, a
title from a small catalogue in English and Simplified Chinese, the `detail`, the
`status`, and the `rule` and `field` that a client can act on.

The language is chosen from `Accept-Language` (Simplified Chinese or English, English
by default). Titles are translated here; the domain's own messages stay as the domain
wrote them unless the API wrote the problem itself and gave both languages.
"""

from typing import Any, Literal

import msgspec
from litestar import Request, Response
from litestar.openapi import ResponseSpec
from litestar.plugins.problem_details import ProblemDetailsException

# Stable and documented (docs/adr/0060-http-api.md): a problem's `type` is this base
# followed by its rule. It names the problem; it need not resolve.
PROBLEM_BASE = "https://casework.example/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"

Language = Literal["en", "zh"]

# The titles of the rules clients meet most, in both languages. Other rules are titled
# from their name (English) or from their status (Chinese).
TITLES: dict[str, tuple[str, str]] = {
    "access_denied": ("Access denied", "无权访问"),
    "access_log_not_allowed": ("The access log is not shown to you", "无权查看访问记录"),
    "access_not_recorded": ("The access could not be recorded", "无法记录本次访问"),
    "account_closed": ("The account is closed", "账户已关闭"),
    "account_locked": ("The account is locked", "账户已锁定"),
    "bad_request": ("The request could not be read", "无法读取请求"),
    "case_closed": ("The case is closed", "个案已结案"),
    "concurrent_update": ("Someone else wrote at the same time", "他人同时修改了此记录"),
    "consent_missing": ("Consent is missing", "缺少知情同意"),
    "erased": ("The record was erased", "记录已被删除"),
    "idempotency_key_in_progress": (
        "A request with this Idempotency-Key is still in progress",
        "使用此幂等键的请求仍在处理中",
    ),
    "idempotency_key_reused": (
        "This Idempotency-Key was used for another request",
        "此幂等键已用于另一个请求",
    ),
    "internal_error": ("Something went wrong on the server", "服务器出错"),
    "invalid_value": ("A value is not valid", "数值无效"),
    "lead_worker_only": ("Only the lead worker may do this", "仅限主责社工操作"),
    "method_not_allowed": ("This method is not allowed here", "不允许此请求方法"),
    "not_found": ("Not found", "找不到记录"),
    "not_on_team": ("Not on the case team", "不在个案团队中"),
    "not_signed_in": ("You are not signed in", "尚未登录"),
    "precondition_failed": ("The record has changed since you read it", "记录已在您读取后被修改"),
    "precondition_required": (
        "Say which version you read (If-Match)",
        "请提供您读取的版本（If-Match）",
    ),
    "request_too_large": ("The request body is too large", "请求内容过大"),
    "role_not_held": ("You do not hold this role", "您不担任此角色"),
    "second_factor_required": ("A one-time code is required", "需要动态验证码"),
    "service_unavailable": ("The service is not available", "服务暂不可用"),
    "session_ended": ("The session has ended", "会话已结束"),
    "session_expired": ("The session has expired", "会话已过期"),
    "sign_in_failed": ("Sign-in failed", "登录失败"),
    "sign_in_too_soon": ("Too soon after a failed sign-in", "登录失败后请稍候再试"),
    "source_locked": ("Too many failed sign-ins from here", "此来源登录失败次数过多"),
    "staff_has_left": ("The person has left the organisation", "该员工已离职"),
}

_ZH_BY_STATUS = {
    400: "请求有误",
    401: "尚未登录",
    403: "无权进行此操作",
    404: "找不到记录",
    409: "与记录当前状态冲突",
    410: "记录已被删除",
    412: "记录已在您读取后被修改",
    422: "内容不符合规则",
    428: "缺少前提条件",
    429: "请求过于频繁",
    503: "服务暂不可用",
}

# The `extra` members a problem may carry; anything else an exception holds (a
# database error's text, for one) never leaves the server.
PUBLIC_MEMBERS = frozenset(
    {"field", "current_version", "expected_version", "retry_after", "errors", "record_id"}
)


def problem_type(rule: str) -> str:
    return PROBLEM_BASE + rule


def language(accept_language: str | None) -> Language:
    """Simplified Chinese if the client ranks any `zh` above English, else English."""
    ranked: list[tuple[float, int, str]] = []
    for n, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in ("zh", "en") and q > 0:
            ranked.append((-q, n, primary))
    return min(ranked)[2] if ranked else "en"  # type: ignore[return-value]


def title(rule: str, status: int, lang: Language) -> str:
    known = TITLES.get(rule)
    if known:
        return known[1] if lang == "zh" else known[0]
    if lang == "zh":
        return _ZH_BY_STATUS.get(status, "请求未能完成")
    return rule.replace("_", " ").capitalize()


class Problem(ProblemDetailsException):
    """A problem that is said in the client's language when it is sent.

    `detail` is in English; `detail_zh`, when given, is sent to clients that ask for
    Chinese. `members` are the extension members (only `PUBLIC_MEMBERS` are sent).
    """

    def __init__(
        self,
        status: int,
        rule: str,
        detail: str,
        *,
        detail_zh: str = "",
        headers: dict[str, str] | None = None,
        **members: Any,
    ) -> None:
        public = {k: v for k, v in members.items() if k in PUBLIC_MEMBERS and v is not None}
        super().__init__(
            detail=detail,
            status_code=status,
            headers=headers,
            extra={"rule": rule, **public},
            type_=problem_type(rule),
            title=title(rule, status, "en"),
        )
        self.rule = rule
        self.detail_en = detail
        self.detail_zh = detail_zh

    def to_response(self, request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        lang = language(request.headers.get("accept-language"))
        self.title = title(self.rule, self.status_code, lang)
        self.detail = self.detail_zh if lang == "zh" and self.detail_zh else self.detail_en
        response = super().to_response(request)
        response.headers["Content-Language"] = "zh-Hans" if lang == "zh" else "en"
        response.headers["Cache-Control"] = "no-store"
        return response


class ProblemDocument(msgspec.Struct, kw_only=True, frozen=True):
    """An RFC 9457 problem, as every error is answered (`application/problem+json`)."""

    type: str
    title: str
    status: int
    detail: str
    rule: str
    field: str | None = None
    current_version: int | None = None
    expected_version: int | None = None
    retry_after: int | None = None
    errors: list[dict[str, Any]] | None = None


_WHEN = {
    400: "The request could not be read (not JSON, for one)",
    401: "Not signed in, or the session ended or expired (rule says which)",
    403: "Refused by the access rule or another rule (rule names it)",
    404: "No such record",
    409: "A rule of the record's current state, or a write at the same moment",
    410: "The record was erased",
    412: "If-Match is not the record's current version (current_version says it)",
    422: "A value breaks its rule (field names it)",
    428: "If-Match is missing",
    429: "Too many failed sign-ins: wait Retry-After seconds",
    503: "The access could not be recorded, so nothing is shown",
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """The problem answers a route can give, for the OpenAPI document."""
    return {
        status: ResponseSpec(
            data_container=ProblemDocument,
            media_type=PROBLEM_MEDIA_TYPE,
            description=_WHEN[status],
            generate_examples=False,
        )
        for status in statuses
    }
