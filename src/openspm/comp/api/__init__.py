"""The comp API: one router per area, mounted under /api/v1/comp."""

from ninja import Router

from openspm.comp.api import disputes, payouts, runs, statements

router = Router()
router.add_router("", runs.router)
router.add_router("", statements.router)
router.add_router("", disputes.router)
router.add_router("", payouts.router)
