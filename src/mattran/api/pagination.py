from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination

from .serializers import MAX_ID


class ApiPagination(PageNumberPagination):
    """Page numbers; a page or page size that is not a positive whole number is a 400
    (DRF would silently fall back to the default), a page past the end a 404."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    invalid_page_message = "Không có trang {page_number}."

    def _positive(self, request, name: str, maximum: int) -> int | None:
        text = request.query_params.get(name)
        if text is None:
            return None
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= maximum:
            raise exceptions.ValidationError({name: [f"Cần một số nguyên từ 1 đến {maximum}."]})
        return int(text)

    def get_page_number(self, request, paginator):
        return self._positive(request, self.page_query_param, MAX_ID) or 1

    def get_page_size(self, request):
        return self._positive(request, self.page_size_query_param, self.max_page_size) or (
            self.page_size
        )

    def get_schema_operation_parameters(self, view):
        limits = {self.page_query_param: MAX_ID, self.page_size_query_param: self.max_page_size}
        descriptions = {
            self.page_query_param: "Số trang (từ 1)",
            self.page_size_query_param: f"Số dòng mỗi trang (1–{self.max_page_size}, "
            f"mặc định {self.page_size})",
        }
        return [
            {
                "name": name,
                "required": False,
                "in": "query",
                "description": descriptions[name],
                "schema": {"type": "integer", "minimum": 1, "maximum": maximum},
            }
            for name, maximum in limits.items()
        ]
