from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_text_script(json_text: str, element_id: str):
    """Like Django's json_script, for JSON that is already text (a cached chart).

    The same escapes keep the text from closing the <script> element; arrays of numbers
    never need them, so the (slow, per character) translation is skipped for those.
    """
    if "<" in json_text or ">" in json_text or "&" in json_text:
        json_text = json_text.translate(_SCRIPT_ESCAPES)
    # Safe as Django's json_script is: JSON with <, > and & escaped cannot leave the element.
    safe_json = mark_safe(json_text)  # noqa: S308
    return format_html('<script id="{}" type="application/json">{}</script>', element_id, safe_json)


@register.filter
def thousands(value: int) -> str:
    """12345 -> "12,345", whatever the locale settings."""
    return f"{value:,}"
