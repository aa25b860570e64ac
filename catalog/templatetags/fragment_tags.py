"""{% fragment "name" key … %}…{% endfragment %}: a part of a page rendered once per catalog version.

See catalog.services.fragments. The name and keys must say everything the part depends on: a
fragment never depends on the request.
"""

from django import template
from django.utils.safestring import mark_safe

from catalog.services.fragments import rendered_once

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, parts):
        self.nodelist, self.name, self.parts = nodelist, name, parts

    def render(self, context):
        name = self.name.resolve(context)
        parts = tuple(part.resolve(context) for part in self.parts)
        return mark_safe(rendered_once(name, parts, lambda: self.nodelist.render(context)))


@register.tag
def fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% fragment %} needs a name, then the keys that identify it.")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]])
