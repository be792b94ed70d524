"""`{% error_summary %}`: one list at the top of the page of every field error on it.

The layout puts it above every page's content, so a form needs nothing to get one. It finds the
bound forms in the page's context itself: an error in a collapsed section or far down a long
form is then named at the top, with a link to the field (app.js opens the section holding it
and moves focus to the summary).
"""

from django import template
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet

register = template.Library()


def _forms_in(context) -> list[BaseForm]:
    found, seen = [], set()
    for value in context.flatten().values():
        forms = value.forms if isinstance(value, BaseFormSet) else [value]
        for form in forms:
            # Only forms the view has validated: asking another for its errors would run its
            # checks (a design form's clean renders the code) just for the summary.
            validated = isinstance(form, BaseForm) and form.is_bound and form._errors is not None
            if validated and id(form) not in seen:
                seen.add(id(form))
                found.append(form)
    return found


@register.inclusion_tag("partials/_error_summary.html", takes_context=True)
def error_summary(context):
    items = []
    for form in _forms_in(context):
        for name, errors in form.errors.items():
            if name == "__all__" or name not in form.fields:
                continue
            field = form[name]
            target = field.id_for_label or field.auto_id
            items.extend({"target": target, "label": field.label, "message": e} for e in errors)
    return {"items": items}
