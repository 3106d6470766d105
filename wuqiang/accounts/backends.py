"""Authentication backend that loads the user's unit with the user, saving a query per page."""

from django.contrib.auth.backends import ModelBackend

from wuqiang.accounts.models import User


class ScopedUserBackend(ModelBackend):
    def get_user(self, user_id):
        user = User.objects.select_related("township__county", "county", "municipality").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
