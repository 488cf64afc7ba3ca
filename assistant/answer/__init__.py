"""Stage 4, answers: question and history in, an :class:`~assistant.answer.answerer.AnswerResult`
out (condense, evidence, generate, citations, support, refusal, conflicts).
"""
