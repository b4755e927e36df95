"""How a bot under test tells the harness that it finished an update, or crashed on one.

Tests then wait for exactly that instead of for a quiet period: `report_handling` adds a
handler in a group after every group of the project's (PTB runs the error handlers, and the
persistence flush of group 9, before it) and an error handler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

HANDLED_GROUP = 1_000_000  # the harness's own handler group, after every project group
# Bot API methods only the fake server knows; a bot in another process reports through them.
HANDLED_METHOD, CRASHED_METHOD = "harnessHandled", "harnessCrashed"

Report = Callable[[int | None, BaseException | None], Awaitable[None]]


def report_handling(app: Application, report: Report) -> None:
    """Make `app` call `report(update_id, None)` after handling each update and
    `report(update_id, error)` when a handler raised (update_id None outside an update)."""

    async def handled(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        await report(update.update_id, None)

    async def crashed(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if context.error is not None:
            update_id = update.update_id if isinstance(update, Update) else None
            await report(update_id, context.error)

    app.add_handler(TypeHandler(Update, handled), group=HANDLED_GROUP)
    app.add_error_handler(crashed)


async def report_over_the_api(app: Application, update_id: int | None, error: BaseException | None):
    """`Report` for a bot in another process: a call of the fake server's harness methods."""
    if error is None:
        await app.bot.do_api_request(HANDLED_METHOD, api_kwargs={"update_id": update_id})
    else:
        kwargs = {"update_id": update_id or 0, "error": repr(error)}
        await app.bot.do_api_request(CRASHED_METHOD, api_kwargs=kwargs)
