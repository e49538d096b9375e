"""A person's own notifications: the list, opening one (marks it read), marking all read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .selectors import notification_of, notifications_of
from .services import notifications_mark_read

PAGE_SIZE = 20


@login_required
def notification_list(request):
    """The person's notifications, newest first, unread ones marked."""
    page = Paginator(notifications_of(request.user), PAGE_SIZE).get_page(request.GET.get("halaman"))
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk: int):
    """Mark one of the person's notifications read and go to what it is about."""
    notification = notification_of(request.user, pk)
    if notification is None:
        raise Http404
    notifications_mark_read(person=request.user, ids=[notification.pk])
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.url)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    count = notifications_mark_read(person=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d notifikasi ditandai sudah dibaca.",
            "%(count)d notifikasi ditandai sudah dibaca.",
            count,
        )
        % {"count": count},
    )
    return redirect("notifications:list")
