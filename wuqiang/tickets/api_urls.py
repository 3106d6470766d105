"""The tickets API's routes, for mounting under /api/v1/tickets/ (tests mount them so).

In the project's API, register the viewset on the shared router instead (wuqiang/api/base.py):
``router.register("tickets", TicketViewSet, basename="ticket")``.
"""

from rest_framework.routers import SimpleRouter

from wuqiang.api.routers import api_view_marks
from wuqiang.tickets.api import TicketViewSet

app_name = "tickets-api"

router = SimpleRouter()
router.register(r"", TicketViewSet, basename="ticket")

urlpatterns = router.urls
for pattern in urlpatterns:
    api_view_marks(pattern.callback)
