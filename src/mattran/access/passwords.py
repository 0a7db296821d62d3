"""Password rules with Vietnamese messages (Django ships none in Vietnamese),
and a list of passwords common among Vietnamese users.

Length counts characters after NFC normalisation, so a passphrase with
diacritics ("Mặt trận quê tôi") counts the same whichever keyboard typed it.
"""

import re

from django.contrib.auth import password_validation as django_validators
from django.core.exceptions import ValidationError

from mattran.core.vietnamese import fold, nfc

# Common Vietnamese passwords and words they are built from (folded: no
# diacritics, lower case). A password is refused when, without digits and
# symbols, it is one of these ("matkhau123", "Anhyeuem@", "MatTran2023").
VIETNAMESE_COMMON = frozenset(
    {
        "matkhau",
        "anhyeuem",
        "emyeuanh",
        "yeuem",
        "yeuanh",
        "iloveyou",
        "vietnam",
        "hanoi",
        "saigon",
        "hochiminh",
        "matran",
        "mattran",
        "mattranquoc",
        "mattrantoquoc",
        "mttq",
        "ubnd",
        "quantri",
        "admin",
        "administrator",
        "password",
        "passw",
        "abc",
        "abcd",
        "abcde",
        "qwerty",
        "asdfgh",
        "zxcvbn",
        "xinchao",
        "chaoban",
        "conmeo",
        "concho",
        "hoanganh",
        "ngocanh",
        "minhanh",
        "thanhxuan",
        "dongda",
        "caugiay",
        "nguyen",
        "tran",
        "pham",
        "hoang",
        "phuong",
        "duong",
        "quan",
        "huyen",
        "xa",
        "thon",
        "totdanpho",
        "khudancu",
        "dangnhap",
        "taikhoan",
        "batdau",
        "tiengviet",
        "vietnamvodich",
        "baomat",
        "hethong",
        "congdoan",
        "doanthanhnien",
        "phunu",
        "cuuchienbinh",
        "nongdan",
    }
)


def _core(password: str) -> str:
    """The letters of a password, folded: "MatKhau@123" -> "matkhau"."""
    return re.sub(r"[^a-z]", "", fold(password))


class MinimumLengthValidator(django_validators.MinimumLengthValidator):
    def validate(self, password, user=None):
        if len(nfc(password)) < self.min_length:
            raise ValidationError(
                f"Mật khẩu quá ngắn: cần ít nhất {self.min_length} ký tự.",
                code="password_too_short",
            )

    def get_help_text(self):
        return f"Mật khẩu cần ít nhất {self.min_length} ký tự (có thể dùng cả câu có dấu)."


class NumericPasswordValidator(django_validators.NumericPasswordValidator):
    def validate(self, password, user=None):
        if password.isdigit():
            raise ValidationError(
                "Mật khẩu không được chỉ gồm chữ số.", code="password_entirely_numeric"
            )

    def get_help_text(self):
        return "Mật khẩu không được chỉ gồm chữ số."


class CommonPasswordValidator(django_validators.CommonPasswordValidator):
    """Django's list of 20,000 common passwords plus the Vietnamese ones above."""

    def validate(self, password, user=None):
        folded = fold(password).strip()
        core = _core(password)
        if folded in self.passwords or core in VIETNAMESE_COMMON:
            raise ValidationError(
                "Mật khẩu quá phổ biến, dễ bị đoán. Hãy chọn mật khẩu khác "
                "(ví dụ một câu dài có dấu mà chỉ bạn nhớ).",
                code="password_too_common",
            )

    def get_help_text(self):
        return "Mật khẩu không được là mật khẩu phổ biến (như “matkhau123”, “MatTran@2023”)."


class UserAttributeSimilarityValidator(django_validators.UserAttributeSimilarityValidator):
    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError as error:
            raise ValidationError(
                "Mật khẩu quá giống tên đăng nhập, họ tên hoặc thư điện tử của bạn.",
                code="password_too_similar",
            ) from error
        if user is not None:
            core = _core(password)
            for attribute in ("username", "first_name", "last_name"):
                value = _core(str(getattr(user, attribute, "") or ""))
                if len(value) >= 3 and value in core:
                    raise ValidationError(
                        "Mật khẩu quá giống tên đăng nhập, họ tên hoặc thư điện tử của bạn.",
                        code="password_too_similar",
                    )

    def get_help_text(self):
        return "Mật khẩu không được giống thông tin cá nhân của bạn."
