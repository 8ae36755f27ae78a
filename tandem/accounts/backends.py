from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Email sign-in, case-insensitive. Inactive users never authenticate or stay signed in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        username = username or kwargs.get("email")
        if username is None or password is None:
            return None
        return super().authenticate(request, username=username.strip(), password=password)

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None
