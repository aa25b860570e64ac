"""Head tags for machines: canonical links, OpenGraph, JSON-LD; and link targets that cannot run script."""

from django import template
from django.utils.safestring import mark_safe

from catalog.services import structured_data

register = template.Library()


class CaptureNode(template.Node):
    child_nodelists = ("nodelist",)  # so {% block %}s inside stay overridable

    def __init__(self, nodelist, name, silent):
        self.nodelist, self.name, self.silent = nodelist, name, silent

    def render(self, context):
        output = self.nodelist.render(context)
        # The nodelist's own output is already escaped where it needed to be.
        context.dicts[0][self.name] = mark_safe(output.strip())
        return "" if self.silent else output


@register.tag
def capture(parser, token):
    """{% capture as name [silent] %}…{% endcapture %}: render once, reuse as {{ name }} anywhere after.

    base.html captures the title and description blocks so the OpenGraph tags repeat them.
    """
    bits = token.split_contents()
    if len(bits) not in (3, 4) or bits[1] != "as" or (len(bits) == 4 and bits[3] != "silent"):
        raise template.TemplateSyntaxError("Use {% capture as name %} or {% capture as name silent %}.")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2], len(bits) == 4)


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's canonical URL: its path (no query string) on the site's origin."""
    request = context["request"]
    return structured_data.absolute_url(request, request.path)


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    return structured_data.absolute_url(context["request"], path)


@register.filter
def safe_url(value):
    """An http(s)/mailto URL as is; anything else (javascript:, data:) becomes "" so no link can run script."""
    return structured_data.safe_url(value)


@register.simple_tag(takes_context=True)
def family_json_ld(context, page):
    return structured_data.json_ld_script(
        structured_data.family_json_ld(page, context["request"]), context.get("csp_nonce")
    )


@register.simple_tag(takes_context=True)
def variant_json_ld(context, page):
    return structured_data.json_ld_script(
        structured_data.variant_json_ld(page, context["request"]), context.get("csp_nonce")
    )
