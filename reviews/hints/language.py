"""Blame and hindsight in what people write about an event.

The checks look for four failure patterns of the method, each with its own advice:

- judgement of people ("careless", "the wrong call", "nobody noticed", "be more careful");
- human error ("a mistake", "accidentally", "forgot", "misjudged");
- the evaluative passive, which hides a person behind the verb ("was overlooked",
  "was never tested", "it was not considered");
- counterfactuals about what people should or could have done ("should have checked").

They stay quiet where the words do not judge a person: software as the subject ("the
reflector failed to notice"), "should have" meaning possession or a requirement ("each
repository should have clear rules"), template prompts ("Things that could have gone
better."), tooling counterfactuals ("more granular deployments would have allowed us"), and
anything in code spans or quotations (see `text.plain`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from reviews.hints.hint import Hint
from reviews.hints.text import plain, sentences


@dataclass(frozen=True)
class Blame:
    kind: str  # "judgement" | "human_error" | "passive" | "counterfactual"
    phrase: str  # the words that carry it, as written

    def advice(self) -> tuple[str, str]:
        """What is wrong, quoting the words, and what to write instead."""
        message, suggestion = ADVICE[self.kind]
        return message.format(phrase=self.phrase), suggestion


def _words(*alternatives: str) -> str:
    return "|".join(alternatives)


# --- Who is the subject ---------------------------------------------------------------------

PEOPLE = re.compile(
    r"^(?:we|i|you|he|she|they|someone|somebody|nobody|no one|anyone|everyone|people|person|"
    r"developers?|engineers?|authors?|reviewers?|operators?|admins?|administrators?|"
    r"maintainers?|responders?|on-?call|staff|members?|leads?|managers?|sres?|teams?|"
    r"contractors?|testers?|owners?|colleagues?|humans?|us|them|him|her|me|latter|former)$",
    re.IGNORECASE,
)
# Nouns that are machines, code or process: what they did or could do judges nobody.
THINGS = re.compile(
    r"^(?:tests?|testing|monitoring|alerting|alerts?|alarms?|tooling|tools?|automation|ci|"
    r"pipelines?|infrastructure|backlog|items?|fuzzing|fuzzers?|checks?|dashboards?|systems?|"
    r"services?|software|code|servers?|clusters?|networks?|config|configuration|scripts?|bots?|"
    r"jobs?|schedulers?|dependency|dependencies|library|libraries|upgrades?|platform|process|"
    r"processes|policy|policies|api|apis|database|db|cache|proxy|load balancer|controller|"
    r"operator|kubernetes|node|nodes|pods?|containers?|image|images|builds?|releases?|"
    r"hardware|disk|disks|machines?|probes?|health ?checks?|linters?|detection)$",
    re.IGNORECASE,
)
NOT_A_SUBJECT = re.compile(
    r"^(?:also|not|never|probably|definitely|easily|really|certainly|likely|only|still|ideally|"
    r"perhaps|then|obviously|clearly|arguably|surely|maybe|all|both|themselves|itself|just|"
    r"otherwise|instead|simply|even|have|has|had)$",
    re.IGNORECASE,
)
CONJUNCTION = re.compile(r"^(?:and|but|or|nor|yet|so)$", re.IGNORECASE)
RELATIVE = re.compile(r"^(?:that|which|who|whom|whose)$", re.IGNORECASE)
USERS = re.compile(r"^(?:users?|customers?|clients?|visitors?|readers?|callers?)$", re.I)


def _subject_before(text: str, end: int) -> str:
    """The word that most likely heads the subject of the verb at `end` (same clause)."""
    clause = re.split(r"[,;:()—–]|\s-\s", text[:end])[-1]
    words: list[str] = re.findall(r"[\w'’-]+", clause)
    while words and NOT_A_SUBJECT.match(words[-1]):
        words.pop()
    if len(words) >= 2 and RELATIVE.match(words[-1]):
        return words[-2]
    return words[-1] if words else ""


# --- The patterns ---------------------------------------------------------------------------

JUDGEMENT = re.compile(
    r"\b(?:"
    + _words(
        r"careless(?:ly|ness)?",
        r"lazy|laziness",
        r"sloppy|sloppiness|sloppily",
        r"negligen(?:t|ce|tly)",
        r"incompeten(?:t|ce)",
        r"reckless(?:ly|ness)?",
        r"stupid(?:ity)?|idiot(?:ic|s)?|dumb",
        r"irresponsib(?:le|ly|ility)|unprofessional",
        r"inadvisable|ill-advised|unwise",
        r"(?:to|the) blame|blam(?:e|es|ed|ing)",
        r"(?:at|(?:his|her|their|our|my|your|whose|the \w+'s|\w+'s)) fault|the fault of",
        r"screw(?:ed)? ?up|messed up|dropped the ball|botched",
        r"bad (?:ops |engineering |operational )?practices?",
        r"(?:wrong|bad|poor|dangerous|terrible|questionable) (?:call|decision|choice|judge?ment)s?",
        r"(?:massive|epic|big|huge|significant) (?:fail|failure|miss|mistake)",
        r"slow to (?:realise|realize|react|respond|notice|act|see|escalate)",
        r"(?:nobody|no one|no-one) (?:noticed|checked|looked|caught|responded|reacted|realised|"
        r"realized|bothered|cared|asked|followed up)",
        r"nothing was done",
        r"(?:be|being|been|was|were|is|are|stay|remain) (?:more |extra |much more )?"
        r"(?:careful|vigilant|diligent|attentive)",
        r"more (?:carefully|diligently|attentively)",
        r"(?:remain|stay|keep) calm|don'?t panic",
        r"(?:violat|breach|disregard|ignor)(?:e|es|ed|ing) (?:[\w\[\]'’-]+ ){0,5}?"
        r"(?:protocols?|polic(?:y|ies)|principles?|process(?:es)?|rules?|runbooks?|procedures?|guidelines?)",
        r"(?:not|never|aren'?t|isn'?t|wasn'?t|weren'?t)\b[^.]{0,40}?\bin the habit",
        r"(?:not |never )?(?:to )?rush(?:ed|ing)? (?:a |the |into )?(?:fix|change|deploy|decision|rollout|release)",
        r"should have known|ought to have known",
        r"lack(?:ed|s)? of (?:care|attention|diligence|discipline|ownership|rigou?r)",
        r"did(?:n'?t|\s+not) (?:even )?bother|did(?:n'?t|\s+not) even \w+",
        r"did(?:n'?t|\s+not) (?:think|care|pay attention|realise|realize|notice)",
    )
    + r")\b",
    re.IGNORECASE,
)
HUMAN_ERROR = re.compile(
    r"\b(?:"
    + _words(
        r"human errors?",
        r"(?:a|the|our|my|his|her|their|by|simple|honest|stupid|this) mistakes?",
        r"mistaken(?:ly)?",
        r"mistakes? (?:in|of|when|while|by)",
        r"made (?:a |an |the )?(?:\w+ )?(?:mistake|error|typo)s?",
        r"accidental(?:ly)?|by accident",
        r"typos?",
        r"misjudg(?:e|ed|ing|ement|ment)s?",
        r"misread|misinterpret(?:ed|ing)?|misunderstood",
        r"forg(?:ot|et|ets|etting|otten) (?:to|about|that|the|its|their|our|his|her)",
        r"underestimat(?:e|ed|ing|ion)",
        r"oversights?",
        r"(?:missed|ignored|overlooked) (?:the|a|an|this|that|its|their|our) "
        r"(?:advisory|alert|alarm|warning|page|email|e-mail|message|notification|signs?|"
        r"step|check|review|ticket|deadline)",
    )
    + r")\b",
    re.IGNORECASE,
)
# Evaluative verbs in the passive: the person who overlooked is hidden, the judgement stays.
PASSIVE = re.compile(
    r"\b(?:"
    + _words(
        r"(?:was|were|is|are|been|being|got|gets|get) (?:\w+ly |all |completely |simply )?"
        r"(?:overlooked|ignored|dismissed|neglected|rushed|forgotten|botched|missed|"
        r"disregarded|brushed off|glossed over)",
        r"went (?:\w+ly )?(?:unnoticed|unaddressed|unchecked|unreviewed|unseen|ignored)",
        r"corners (?:were|was|got|had been) cut|cut corners",
        r"(?:was|were|is|are|been|being|had been|has been|have been)? ?never (?:\w+ly )?"
        r"(?:tested|checked|reviewed|verified|validated|considered|read|followed|looked at|"
        r"noticed|updated|tried|rehearsed|practised|practiced)",
        r"(?:was|were|been|being) not (?:\w+ly )?considered",
        r"(?:not|never|wasn't|weren't) (?:being |been )?(?:tested|checked|reviewed|verified|"
        r"validated|done|followed|handled|communicated|read|configured|monitored) "
        r"(?:properly|adequately|sufficiently|correctly|carefully|thoroughly|well enough|enough)",
        r"(?:was|were|wasn't|weren't) (?:not )?(?:caught|noticed|seen|spotted|detected|"
        r"addressed|fixed|escalated) (?:by [\w\s]{1,30}?)?until",
    )
    + r")\b",
    re.IGNORECASE,
)
MODAL_PERFECT = re.compile(
    r"\b(should|could|would|might|must|ought to|shouldn'?t|couldn'?t|wouldn'?t|mightn'?t)"
    r"(?:\s+not|\s+never)?(?:\s+(?:also|really|easily|probably|definitely|certainly|have|"
    r"likely|perhaps|at least|then|still|all|only))*"
    r"\s*(?:\s(?:have|of)|'ve|’ve)\s+(?:\w+ly\s+)?(\w+)",
    re.IGNORECASE,
)
PARTICIPLE = re.compile(
    r"^(?:been|be|\w+ed|known|seen|done|made|caught|taken|gone|run|built|written|told|given|"
    r"found|got|gotten|kept|left|read|sent|set|shown|spent|thought|understood|begun|broken|"
    r"chosen|driven|fallen|forgotten|hidden|spoken|thrown|put|held|heard|led|lost|meant|met|"
    r"paid|said|sold|brought|bought|taught|dealt|felt|stood|won|drawn|grown|known|become|"
    r"come|shut|hit|cut|let|spotted|noticed)$",
    re.IGNORECASE,
)
POSSIBILITY = re.compile(r"^(?:could|might|may)$", re.IGNORECASE)
CONSEQUENCE = re.compile(
    r"^(?:gone|caused|led|resulted|enabled|allowed|affected|happened|triggered|exposed|"
    r"impacted|broken|meant|cost|hit|spread|escalated|leaked|corrupted|crashed)$",
    re.IGNORECASE,
)
# "Things that could have gone better", "What would have helped?": the method's own prompts.
PROMPT = re.compile(
    r"^(?:\W*)(?:things?|what|anything|everything|areas?|ideas?)\s+(?:that\s+|which\s+|we\s+)?"
    r"(?:could|should|would|might)\s+have\s+(?:gone|been done|helped|worked)\b",
    re.IGNORECASE,
)
# A counterfactual about what tooling allows people to do, not about what they did.
AFFORDANCE = re.compile(
    r"\b(?:allowed|helped|let|enabled|permitted)\s+(?:us|them|people|the team|operators)\b|"
    r"\bhave\s+automatically\b|\bautomatically\s+\w+ed\b",
    re.IGNORECASE,
)
QUESTION_COUNTERFACTUAL = re.compile(
    r"^\W*(?:could|should|would|couldn'?t|shouldn'?t|wouldn'?t)\s+(?:we|a|an|the|this|they|"
    r"someone|anyone|[\w-]+)\b[^?]*\b(?:have|made|been|done|caught|seen|known|\w+ed)\b[^?]*\?\s*$",
    re.IGNORECASE,
)
# "failed to", "did not check": a person's lapse only when a person is the subject.
LAPSE = re.compile(
    r"\b(failed|neglected|omitted|refused|forgot) to\b|"
    r"\b(?:did(?:n'?t|\s+not)|never) (?:check|test|read|look|verify|review|follow|escalate|"
    r"communicate|ask|tell|update|monitor|respond)\b",
    re.IGNORECASE,
)


def _counterfactuals(text: str) -> list[Blame]:
    if PROMPT.search(text):
        return []
    if QUESTION_COUNTERFACTUAL.search(text):
        return [Blame("counterfactual", text.split()[0])]
    found: list[Blame] = []
    previous: bool | None = None
    for match in MODAL_PERFECT.finditer(text):
        if not PARTICIPLE.match(match.group(2)):
            continue  # "should have clear rules": possession, not hindsight
        if POSSIBILITY.match(match.group(1)) and CONSEQUENCE.match(match.group(2)):
            continue  # "this could have enabled an attacker": what might have happened
        subject = _subject_before(text, match.start())
        if CONJUNCTION.match(subject) and previous is not None:
            person = previous  # "…, but also would have caught it": the same subject
        else:
            person = not (THINGS.match(subject) or USERS.match(subject))
        tail = text[match.start() : match.end() + 40]
        if person and AFFORDANCE.search(tail):
            person = False
        previous = person
        if person:
            found.append(Blame("counterfactual", match.group(0)))
    return found


def _lapses(text: str, names: Iterable[str]) -> list[Blame]:
    found = []
    lowered_names = {n.lower() for n in names}
    for match in LAPSE.finditer(text):
        subject = _subject_before(text, match.start())
        if match.group(1) and match.group(1).lower() in {"forgot", "neglected"}:
            found.append(Blame("human_error", match.group(0)))
        elif PEOPLE.match(subject) or subject.lower() in lowered_names or _a_name(subject):
            found.append(Blame("judgement", match.group(0)))
    return found


OPENERS = {"The", "This", "That", "It", "There", "These", "Those", "A", "An", "Our", "Its"}


def _a_name(word: str) -> bool:
    """A capitalised word that is not a sentence's usual opener: likely a person's name."""
    return (
        bool(re.fullmatch(r"[A-Z][a-z]+", word)) and not THINGS.match(word) and word not in OPENERS
    )


# "without blame", "no fault of": the words deny the judgement.
DENIED = re.compile(r"\b(?:without|no|not|never|free of|blameless)\s+$", re.IGNORECASE)


def blames_in_sentence(sentence: str, names: Iterable[str] = ()) -> list[Blame]:
    """Every blame pattern in one sentence (already `plain`)."""
    found: list[Blame] = []
    for kind, pattern in (
        ("judgement", JUDGEMENT),
        ("human_error", HUMAN_ERROR),
        ("passive", PASSIVE),
    ):
        found += [
            Blame(kind, m.group(0))
            for m in pattern.finditer(sentence)
            if not DENIED.search(sentence[max(0, m.start() - 12) : m.start()])
        ]
    found += _counterfactuals(sentence)
    found += _lapses(sentence, names)
    return found


def blames(text: str, names: Iterable[str] = ()) -> list[Blame]:
    """Blame in a piece of prose, sentence by sentence, the writer's own words only."""
    found: list[Blame] = []
    for sentence in sentences(plain(text)):
        found += blames_in_sentence(sentence, names)
    return found


def sentence_blames(text: str) -> bool:
    return bool(blames(text))


ADVICE = {
    "counterfactual": (
        "“{phrase}” judges what happened with hindsight.",
        "Ask what made the step reasonable at the time, then name what would make the right "
        "step easy next time: “the checklist did not ask for a staging check”.",
    ),
    "human_error": (
        "“{phrase}” stops at a person's slip.",
        "Go one step further: what let the slip through? “Nothing checked the value before "
        "the rollout”, not “a mistake was made”.",
    ),
    "passive": (
        "“{phrase}” hides a judgement in the passive.",
        "Say what the process showed people and what it did not: “the review did not show "
        "the file outside the diff”.",
    ),
    "judgement": (
        "“{phrase}” puts the weight on a person.",
        "Describe what the system allowed: “the deploy tool let an untested change through”, "
        "not who was careless.",
    ),
}


def blame_hints(text: str, names: Iterable[str] = ()) -> list[Hint]:
    """One hint per code (hindsight, or blame of any other kind), and one if a participant
    is named in a cause."""
    hints: dict[str, Hint] = {}
    for blame in blames(text, names):
        code = "blame.counterfactual" if blame.kind == "counterfactual" else "blame.word"
        if code not in hints:
            hints[code] = Hint(code, *blame.advice())
    found = list(hints.values())
    own_words = plain(text)
    for name in names:
        if len(name) > 1 and re.search(rf"\b{re.escape(name)}\b", own_words):
            found.append(
                Hint(
                    "blame.name",
                    f"{name} is named in a cause.",
                    "Name the system or the step instead: what would have helped anyone in that seat?",
                )
            )
            break
    return found
