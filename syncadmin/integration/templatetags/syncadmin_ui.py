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


@register.simple_tag
def object_tabs(account_id: int) -> list[tuple[str, str, str]]:
    """(key, label, url) of every object's settings tab, in the registry's order."""
    from syncadmin.sync import objects

    return [(spec.key, str(spec.label), reverse(spec.settings_tab,
                                                kwargs={"account_id": account_id}))
            for spec in objects.all_specs() if spec.settings_tab]
