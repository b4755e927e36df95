"""Socialisation: quizzes built from the knowledge base, subscriptions, announcements, reminders.

quiz.py      the quiz file (`knowledge/quiz.yaml`) and polls within Telegram's limits
calendar.py  the election calendar (`knowledge/calendar.yaml`) and the reminders it implies
store.py     the outreach tables and their SQL
service.py   use cases: subscribe, quizzes and their results (class Outreach)
broadcast.py use cases: announcements and reminders to every subscriber
cli.py       `bot.py calendar validate|show`, `bot.py quiz validate|show`
"""
