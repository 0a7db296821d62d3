"""mattran lookup TEXT: search the public ledger like the donation lookup page."""

from django.core.management.base import BaseCommand

from mattran.core.vietnamese import format_date, format_money
from mattran.portal.selectors import DonationQuery, donation_search


class Command(BaseCommand):
    help = "Tra cứu khoản ủng hộ trong sổ quỹ công khai (tên có dấu hoặc không dấu)."

    def add_arguments(self, parser):
        parser.add_argument("text", nargs="?", default="")
        parser.add_argument("--amount", type=int)
        parser.add_argument("--reference", default="")
        parser.add_argument("--limit", type=int, default=50)

    def handle(self, *args, **opts):
        query = DonationQuery(name=opts["text"], amount=opts["amount"], reference=opts["reference"])
        rows = donation_search(query=query, limit=opts["limit"])
        for r in rows:
            self.stdout.write(
                f"{format_date(r['booked_on'])}  {format_money(r['amount']):>16}  "
                f"{r['donor'] or '-'} | {r['memo']} | {r['fund']} – {r['unit']}"
            )
        self.stdout.write(f"{len(rows)} khoản")
