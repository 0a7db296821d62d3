from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class IdempotentRequest(models.Model):
    """A write made through the API with an `Idempotency-Key` header, and its answer.

    A client that did not get the answer (timeout, dropped connection) sends the
    same request with the same key again and gets the stored answer back instead
    of a second receipt or activity. Only successful writes are kept: a refused
    request can be corrected and retried under the same key.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField("khóa", max_length=255)
    endpoint = models.CharField("yêu cầu", max_length=300)
    request_sha256 = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    response = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "yêu cầu API không lặp"
        verbose_name_plural = "yêu cầu API không lặp"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotent_request_user_key")
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} [{self.key}]"
