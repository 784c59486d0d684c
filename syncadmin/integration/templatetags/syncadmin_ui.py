from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def optional_url(name: str, account_id: int) -> str:
    """The URL of an account page that another part of the app may not provide yet ("")."""
    try:
        return reverse(name, kwargs={"account_id": account_id})
    except NoReverseMatch:
        return ""
