"""`mattran api_token USERNAME [--days N] [--revoke]`: issue or revoke a user's API token."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mattran.api.services import api_token_create, api_tokens_revoke
from mattran.core.errors import UserFacingError
from mattran.core.vietnamese import format_date


class Command(BaseCommand):
    help = (
        "Cấp mã truy cập API cho một người dùng (in ra một lần, chỉ lưu bản băm), "
        "hoặc thu hồi mọi mã của người đó với --revoke."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="Tên đăng nhập")
        parser.add_argument(
            "--revoke", action="store_true", help="Thu hồi mọi mã API của người dùng này"
        )
        parser.add_argument(
            "--days", type=int, help="Thời hạn (ngày); mặc định MATTRAN_API_TOKEN_DAYS (365)"
        )

    def handle(self, *args, username, revoke, days, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có người dùng “{username}”.")
        try:
            if revoke:
                n = api_tokens_revoke(actor=None, user=user)
                self.stderr.write(f"Đã thu hồi {n} mã API của {username}.")
                return
            token, text = api_token_create(actor=None, user=user, days=days)
        except UserFacingError as exc:
            raise CommandError(exc.message) from exc
        until = format_date(timezone.localdate(token.expiry)) if token.expiry else "không hết hạn"
        self.stderr.write(
            f"Mã API của {username} (hết hạn {until}); chỉ hiện một lần, hãy lưu ngay. "
            f"Gửi kèm mỗi yêu cầu: “Authorization: Token <mã>”."
        )
        self.stdout.write(text)
