"""One button press from any front end: decode its data, route it to answering, tips or
curation, and say what to show. Telegram's button handler and the console both call `press`,
so they cannot drift apart.

`session` is the presser's small persisted state (Telegram's user_data, the console's dict):
the chosen language, the admin's pending edit or new-entry draft, the status awaiting a note.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from bot.core import Core
from bot.curation.wizard import new_draft
from bot.privacy import privacy_view
from bot.ui import actions
from bot.ui.actions import Action
from bot.ui.views import View

# How a front end shows the result.
EDIT = "edit"  # in place of the message whose button was pressed
SEND = "send"  # as a new message (the message with the button stays)
TOAST = "toast"  # a short notice; the message stays as it is
ALERT = "alert"  # a notice the user must dismiss

Session = MutableMapping[str, Any]


@dataclass(frozen=True)
class Presser:
    """Who pressed, as far as the use cases need to know."""

    user_id: int
    lang: str
    admin: bool = False
    private: bool = True
    console: bool = False  # the console chat takes no tips
    bot_username: str = ""
    update_id: int = 0  # Telegram's id of this press, to recognise one delivered twice
    # The presser's own message the pressed one replies to (the offer to report a tip typed
    # outside /lapor quotes it): read back for "It is a question", never stored.
    quoted: str = ""


@dataclass
class Pressed:
    """What to show after a press (None: nothing), and what comes with it."""

    view: View | None
    show: str = EDIT
    notice: View | None = None  # for the admin chat (a new tip)
    files: list[dict[str, Any]] = field(default_factory=list)  # evidence for an admin
    awaits: str = ""  # what the user's next message answers: phrasing, answer, new_text, note
    # A tip's step: call `delivered` once the view reached the reporter (the step is done),
    # `undelivered` when it could not be shown (the step is undone, the next try applies once).
    delivered: Callable[[], None] | None = None
    undelivered: Callable[[], None] | None = None


def press(core: Core, who: Presser, data: str, session: Session) -> Pressed:
    """Run the action behind button `data`; unknown or outdated data is refused politely."""
    try:
        action = actions.decode(data)
    except actions.ActionError as err:
        text = core.answers.renderer.render("button_stale", who.lang, kind=err.kind)
        return Pressed(View(text, lang=who.lang), TOAST)
    if action.spec.feature == actions.ANSWERING:
        return _answering(core, who, action, session)
    if action.spec.feature == actions.TIPS:
        return _tips(core, who, action, session)
    return _curation(core, who, action, session)


# -- answering -----------------------------------------------------------------------------------


def _answering(core: Core, who: Presser, action: Action, session: Session) -> Pressed:
    answers, lang, spec = core.answers, who.lang, action.spec
    if spec is actions.FEEDBACK:
        asked = action.number("question", -1)
        view = answers.feedback(
            action["entry"], action["vote"] == "up", None if asked < 0 else asked, lang
        )
        return Pressed(view, TOAST)  # the answer stays on screen with its buttons
    if spec is actions.LANGUAGE and action["lang"] in ("id", "en"):
        session["lang"] = action["lang"]
        return Pressed(answers.language_view(action["lang"], True))
    if spec is actions.PAGE and action["page"] == "privacy":
        return Pressed(privacy_view(answers.renderer, core.settings, lang))
    if spec in (actions.PAGE, actions.LANGUAGE):
        # Admin commands only to an admin in a private chat: never in a group, nor the console.
        admin = who.admin and who.private and not who.console
        return Pressed(answers.help_view(lang, who.bot_username, admin=admin))
    if spec is actions.ASK_IT:
        # The user says the message we took for a tip was a question: answer it (and log it).
        if not who.quoted.strip():
            return Pressed(answers.page("report_offer", lang, kind="gone"))
        channel = "console" if who.console else "telegram"
        return Pressed(answers.ask(who.quoted, session.get("lang"), channel, triage=False))
    if spec is actions.ANSWER:
        return Pressed(answers.entry_view(action["entry"], lang))
    if spec is actions.BASIS:
        return Pressed(answers.basis_view(action["entry"], lang, action.number("page")))
    if spec is actions.RELATED:
        return Pressed(answers.related_view(action["entry"], lang))
    if spec is actions.TOPIC:
        return Pressed(answers.topic_view(action["topic"], lang))
    if spec is actions.NONE_OF_THESE:
        return Pressed(answers.none_of_these_view(lang))
    return Pressed(answers.topics_view(lang))


# -- tips ----------------------------------------------------------------------------------------


def _tips(core: Core, who: Presser, action: Action, session: Session) -> Pressed:
    if action.spec.prefix.startswith("adm:"):
        return _tip_desk(core, who, action, session)
    if who.console:
        return Pressed(core.answers.page("console_report", who.lang), SEND)
    if not who.private:
        return Pressed(None)  # in groups the report button is a link to the private chat
    reports = core.reports
    if action.spec is actions.REPORT:
        # A new message, so the answer the button sat under stays.
        if reports.in_progress(who.user_id):
            return Pressed(reports.resume(who.user_id, who.lang).view, SEND)
        return Pressed(reports.start(who.user_id, who.lang, action["category"]).view, SEND)
    reply = reports.press(who.user_id, action, who.lang, who.update_id)
    if reply.duplicate:
        return Pressed(None)  # answered when it first came
    return Pressed(
        reply.view,
        notice=reply.admin_view,
        delivered=lambda: reports.confirm(who.user_id, reply.update_id),
        undelivered=lambda: reports.revert(who.user_id, reply),
    )


def _tip_desk(core: Core, who: Presser, action: Action, session: Session) -> Pressed:
    desk, lang, spec = core.reports.desk, who.lang, action.spec
    if not who.admin:
        return Pressed(desk.note_view("refused", lang))  # telling nothing
    if not who.private:
        return Pressed(desk.note_view("private", lang))
    if spec is actions.DESK_LIST:
        return Pressed(desk.list_view(action["status"], lang))
    if spec is actions.DESK_OPEN:
        return Pressed(desk.show_view(action["ticket"], lang))
    if spec is actions.DESK_EVIDENCE:
        return Pressed(None, files=desk.evidence(action["ticket"]))
    ticket, status = action["ticket"] if action.args else "", ""
    if spec is actions.DESK_STATUS:
        status = action["status"]
        session["report_pending"] = [ticket, status]
        return Pressed(desk.note_view("ask", lang, ticket, status), awaits="note")
    if spec is actions.DESK_NO_NOTE:
        status = action["status"]
        session.pop("report_pending", None)
        saved = desk.set_status(ticket, status, "")
        return Pressed(desk.note_view("saved" if saved else "unknown", lang, ticket, status))
    return Pressed(desk.overview_view(lang))


# -- curation ------------------------------------------------------------------------------------


def _curation(core: Core, who: Presser, action: Action, session: Session) -> Pressed:
    desk = core.admin
    if not (who.admin and who.private):
        return Pressed(desk.refused(who.lang), ALERT)
    lang, admin, spec, a = who.lang, who.user_id, action.spec, actions
    entry, version = action.args[0] if action.args else "", 0
    if "version" in spec.params:
        version = action.number("version")
    awaits = ""
    if spec in (a.KB_PHRASING, a.KB_ANSWER):
        kind = "answer" if spec is a.KB_ANSWER else "phrasing"
        field_lang = action["lang"]
        session["admin_edit"] = {
            "kind": kind, "entry": entry, "lang": field_lang, "version": version
        }  # fmt: skip
        view, awaits = desk.ask_text(kind, entry, field_lang, lang), kind
    elif spec is a.KB_VERDICTS:
        view = desk.verdict_menu(entry, version, lang)
    elif spec is a.KB_VERDICT:
        verdict = action["verdict"]
        view = desk.change(
            entry, lang, lambda: desk.editor.set_verdict(admin, entry, verdict, version)
        )
    elif spec is a.KB_RETIRE_ASK:
        view = desk.retire_confirm(entry, version, lang)
    elif spec is a.KB_RETIRE:
        view = desk.change(entry, lang, lambda: desk.editor.retire(admin, entry, version))
    elif spec is a.KB_UNDO:
        view = desk.undo(admin, action.number("change"), lang)
    elif spec is a.KB_HISTORY:
        view = desk.history(entry, lang)
    elif spec is a.KB_PHRASINGS:
        view = desk.phrasings(entry, action.number("page", 1), lang)
    elif spec is a.REVIEW_ADD:
        view = desk.review_add(admin, action["key"], action["entry"], lang)
    elif spec is a.REVIEW_PREVIEW:
        view = desk.review.preview_view(action["key"], action["entry"], lang)
    elif spec is a.REVIEW_PICK:
        session["review_pick"] = action["key"]
        view, awaits = desk.review.pick_view(action["key"], lang), "review_find"
    elif spec is a.REVIEW_DISMISS:
        view = desk.review_dismiss(admin, action["key"], lang)
    elif spec is a.REVIEW_NEW:
        group = desk.review.find(action["key"])
        session["admin_new"] = draft = (
            new_draft(group.question, group.lang) if group else new_draft()
        )
        view = desk.wizard.view(draft, lang)
    elif spec is a.REVIEW_NEXT:
        view = desk.review.view(lang, index=action.number("index"))
    elif spec.prefix.startswith("na:"):
        view, awaits = _wizard(core, admin, action, lang, session)
    elif spec is a.IMPORT_APPLY:
        view = desk.import_confirm(admin, action["token"], lang)
    elif spec is a.IMPORT_CANCEL:
        view = desk.import_cancel(admin, lang)
    else:
        view = desk.entry(entry, lang)
    return Pressed(view, awaits=awaits)


def _wizard(
    core: Core, admin: int, action: Action, lang: str, session: Session
) -> tuple[View, str]:
    """A button of the new-entry wizard: its next screen, and whether text is expected."""
    wizard = core.admin.wizard
    draft = session.get("admin_new")
    if action.spec is actions.NEW_START or draft is None:
        draft = new_draft()
    elif action.spec is actions.NEW_SAVE:
        saved, view = wizard.save(admin, draft, lang)
        if saved:
            session.pop("admin_new", None)
        return view, ""
    else:
        draft = wizard.press(draft, action)
    session["admin_new"] = draft
    return wizard.view(draft, lang), "new_text" if wizard.expects_text(draft) else ""
