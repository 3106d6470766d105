"""The tickets API's routes; the project's API mounts them under /api/v1/tickets/."""

from rest_framework.routers import SimpleRouter

from wuqiang.tickets.api import TicketViewSet

app_name = "tickets-api"

router = SimpleRouter()
router.register(r"", TicketViewSet, basename="ticket")

urlpatterns = router.urls
