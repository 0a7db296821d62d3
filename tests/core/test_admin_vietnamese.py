"""The Django admin speaks Vietnamese, third-party apps and models included."""


def test_admin_index_names_every_app_and_model_in_vietnamese(client, django_user_model, settings):
    settings.MATTRAN_REQUIRE_2FA = False
    admin = django_user_model.objects.create_superuser("qt", password="x" * 12)
    client.force_login(admin)
    page = client.get("/quan-tri/").content.decode()
    for english in ("Access attempts", "Access failures", "Auth tokens", "TOTP devices", "Task"):
        assert english not in page, english
    for vietnamese in (
        "Đăng nhập sai và khóa tài khoản",
        "Lần đăng nhập sai",
        "Khóa truy cập API",
        "Thiết bị xác thực (TOTP)",
        "Công việc chạy nền",
        "Quản trị hệ thống",
    ):
        assert vietnamese in page, vietnamese
