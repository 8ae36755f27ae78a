from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("signed-out/", views.signed_out, name="signed_out"),
    path("timed-out/", views.timed_out, name="timed_out"),
    path("session/keep-alive/", views.session_keep_alive, name="session_keep_alive"),
    path("mfa/", views.mfa_verify, name="mfa_verify"),
    path("mfa/set-up/", views.mfa_enrol, name="mfa_enrol"),
    path("confirm/", views.reauthenticate, name="reauthenticate"),
    path("account/", views.account, name="account"),
    path("account/backup-codes/", views.backup_codes, name="backup_codes"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("users/<int:pk>/reset-mfa/", views.user_reset_mfa, name="user_reset_mfa"),
]
