"""Analytics → Email reports: owners and admins schedule weekly or monthly PDF reports of the
workspace or a group for themselves or teammates."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import selectors as account_selectors
from accounts.decorators import manager_required
from analytics.models import ReportFrequency, ReportSubscription
from analytics.reports import report_subscription_create, report_subscription_delete
from codes import selectors as code_selectors
from qrsite.forms import add_service_errors


class SubscriptionForm(forms.Form):
    recipient = forms.ChoiceField(label="Send to")
    frequency = forms.ChoiceField(label="How often", choices=ReportFrequency.choices)
    group = forms.ChoiceField(label="Report on", required=False)

    def __init__(self, *args, members=(), groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = [(m.public_id, m.user.email) for m in members]
        self.fields["group"].choices = [("", "The whole workspace")] + [
            (g.public_id, f"Group: {g.name}") for g in groups
        ]


@manager_required
def report_subscriptions(request):
    workspace = request.workspace
    members = list(account_selectors.member_list_for_workspace(workspace=workspace))
    groups = list(code_selectors.group_choices_for_workspace(workspace=workspace))
    form = SubscriptionForm(
        request.POST or None,
        members=members,
        groups=groups,
        initial={"recipient": request.membership.public_id},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        recipient = next(m.user for m in members if m.public_id == data["recipient"])
        group = next((g for g in groups if g.public_id == data["group"]), None)
        try:
            report_subscription_create(
                workspace=workspace,
                actor=request.user,
                recipient=recipient,
                frequency=data["frequency"],
                group=group,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{recipient.email} will get this report by email.")
            return redirect("analytics:reports")
    subscriptions = ReportSubscription.objects.filter(workspace=workspace).select_related(
        "recipient", "group"
    )
    return render(
        request,
        "analytics/reports.html",
        {"form": form, "subscriptions": subscriptions},
        status=200 if not form.errors else 400,
    )


@manager_required
@require_POST
def report_subscription_stop(request, subscription_id: str):
    subscription = ReportSubscription.objects.filter(
        workspace=request.workspace, public_id=subscription_id
    ).first()
    if subscription is None:
        raise Http404("No such report.")
    report_subscription_delete(subscription=subscription, actor=request.user)
    messages.success(request, "Report stopped.")
    return redirect("analytics:reports")
