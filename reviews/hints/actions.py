"""Action items that can be chased: specific, one thing each, owned by a person.

An action is vague when nobody could say when it is done. That is judged by its shape, not
by whether it contains a digit or an acronym ("Look into monitoring the Traefik v2 API" is
as vague as "Look into monitoring"):

- a tentative main verb: consider, look into, explore, reflect on, figure out, revisit,
  think about, investigate (without "and fix"), try to, "something about";
- a comparative or "improve" with no measurable target: "improve alerting", "make X more
  robust", "upgrade faster", "better dashboards" (a target is a number with a unit, a
  threshold, or "from … to …");
- an exhortation with no deliverable: "wherever possible", "across the board", "be careful",
  "prevent this from happening again";
- a question, a bare link, or two words.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from reviews.hints.hint import Hint
from reviews.hints.text import PLACEHOLDER, plain

GROUP_OWNERS = {
    "", "team", "the team", "everyone", "everybody", "all", "ops", "eng", "engineering", "dev", "devs",
    "tbd", "tba", "n/a", "na", "none", "nobody", "someone", "somebody", "us", "we", "sre", "sres", "devops",
    "oncall", "on-call", "on call", "qa", "product", "management", "leads", "backend", "frontend",
    "developers", "engineers", "maintainers", "reviewers", "operators", "admins", "staff", "security",
    "infra", "infrastructure", "platform", "support", "it", "?", "-", "—", "unassigned", "unknown",
}  # fmt: skip
ROLE_WORDS = re.compile(
    r"\b(team|teams|squad|group|guild|list|channel|department|org|organi[sz]ation|committee|"
    r"council|wg|sig|maintainers|developers|engineers|owners|reviewers|operators|on-?call|"
    r"rotation|everyone|folks|people|staff)\b",
    re.IGNORECASE,
)


def owner_is_group(owner: str) -> bool:
    """A team, a role, a list or nobody: an owner who cannot be chased."""
    text = " ".join(owner.strip().lstrip("@").lower().split())
    if text in GROUP_OWNERS or text.removeprefix("the ") in GROUP_OWNERS:
        return True
    if "@" in text and re.match(
        r"^(team|eng|ops|dev|all|sre|oncall|platform|infra|support|security)[\w.-]*@", text
    ):
        return True  # a mailing list or group alias
    if re.fullmatch(r"[\w.-]+/[\w.-]+", text):
        return True  # a GitHub team handle: @org/team
    return bool(ROLE_WORDS.search(text))


# --- Vague ----------------------------------------------------------------------------------

# What may come before the main verb: "We should", "Ideally, we will", "The team needs to".
PREFACE = re.compile(
    r"^(?:(?:ideally|more generally|in general|going forward|moving forward|in the future|"
    r"longer[- ]term|short[- ]term|next|also|then|finally|high|medium|low|p[0-3])\W+"
    r"|(?:action(?: item| point)?|todo|to ?do|follow[- ]up)\s*[:)\]–—-]\s*)*"
    r"(?:(?:(?:we|i|you|they|the team|the \w+ team|\w+ (?:team|maintainers|developers))\s+"
    r"(?:(?:also|now|then|still|further|additionally)\s+)?"
    r"(?:should|will|must|shall|could|might|may|can|need to|have to|want to|plan to|intend to|"
    r"are (?:(?:also|now|then|still|further|additionally)\s+)?going to|would like to|are|is|am)"
    r"|(?:[\w/.'’-]+\s+){1,5}?(?:should|must|shall|need to|needs to|have to|has to))\s+"
    r"(?:also\s+|now\s+|first\s+|then\s+|still\s+|actively\s+|currently\s+|further\s+)*)?",
    re.IGNORECASE,
)
# "Team discussed about …", "We considered …": what was done, said in the past tense.
TENTATIVE_PAST = r"(?:discuss|consider|explor|brainstorm)ed"
TENTATIVE = (
    rf"{TENTATIVE_PAST}|talked about|"
    r"consider(?:ing)?|reconsider(?:ing)?|look(?:ing)? (?:into|at)|explor(?:e|ing)|"
    r"reflect(?:ing)?(?: on| about| if| whether| how)?|discuss(?:ing)?|figur(?:e|ing) out|"
    r"revisit(?:ing)?|re-?evaluat(?:e|ing)|evaluat(?:e|ing)|spike (?:into|on|out)|"
    r"start(?:ing)? (?:to (?:write|work|think|look|track|document|collect|gather|use)|writing|working|"
    r"thinking|looking|tracking|documenting|collecting|gathering|using)\b|"
    r"assess(?:ing)?(?= whether| if| how| the need)|re-?assess(?:ing)?|"
    r"think(?:ing)? (?:about|through|of)|try(?:ing)? to|continu(?:e|ing) to (?:attempt|try|look|monitor|investigate)|"
    r"research(?:ing)?|brainstorm(?:ing)?|investigat(?:e|ing)|examin(?:e|ing)|"
    r"something about|find(?:ing)? (?:a |some |better )?ways?|keep(?:ing)? an eye|"
    r"err on the side|be (?:more )?(?:careful|aware|mindful|vigilant|diligent|cautious)|"
    r"pay (?:more )?attention|follow(?:ing)? up(?: on| with|$)|dig(?:ging)? into|"
    # "work on communication" is vague; "working on incorporating this into the engine" is not
    r"work(?:ing)? on(?! (?:adding|building|fixing|incorporating|implementing|migrating|"
    r"removing|replacing|rewriting|writing|shipping|deploying|integrating|porting|upgrading|"
    r"releasing|publishing|automating|documenting)\b)|"
    r"find(?:ing)? (?:a|the|that|some|our) (?:sweet spot|balance|middle ground|happy medium|right balance)|"
    r"check (?:if|whether)|see (?:if|whether|how)|understand|learn (?:from|about)|"
    # deciding, finding out, talking and striving: what will be decided or built is unsaid
    r"(?:determin(?:e|ing)|identify(?:ing)?) (?:if|whether|how|why|what)|find(?:ing)? out|identify(?:ing)? (?:ways?|options|"
    r"opportunities|areas)|look(?:ing)? for (?:ways?|options|opportunities|alternatives?|alternative \w+)|work(?:ing)? towards?|"
    r"strive|striving|seek(?:ing)? to|attempt(?:ing)? to|aim(?:ing)? (?:to|for)|"
    r"talk(?:ing)? (?:to|with|about)|take (?:a |another )?(?:closer |deeper |second |hard |good )?look|"
    r"spend(?:ing)? (?:more |some )?time|keep(?:ing)? in mind|bear(?:ing)? in mind|"
    r"continu(?:e|ing) (?:monitoring|investigating|looking|watching|tracking|working|to work|"
    r"to improve|improving|evaluating|to evaluate|to review|reviewing)|monitor(?:ing)? the situation|"
    r"encourag(?:e|ing)|rais(?:e|ing) awareness|remind(?:ing)?|make (?:\w+ )?(?:people|everyone|"
    r"folks|engineers|developers|the team|teams|users|maintainers) aware|educat(?:e|ing)|"
    r"(?:stay|keep)(?:ing)? (?:up to date|up-to-date|current|informed|on top)|"
    r"follow(?:ing)? (?:best practices?|good practices?|the (?:process|procedures?|rules)|procedures?)|"
    r"(?:plan|come up with|think up|devise|work out|define|develop|find|agree on) (?:a |an |the |some )?"
    r"(?:strategy|strategies|approach|approaches|way|ways|path|plan) (?:to|for)\b"
)
TENTATIVE_LEAD = re.compile(
    rf"^(?:{TENTATIVE}|don'?t|do not|never (?:again )?(?:sacrifice|rush|skip|forget)|"
    # "Another thing to work on", "Something we should look into": a topic, not a task
    rf"(?:something|another thing|one thing|things|an area|areas)\s+(?:to|we (?:should|could|"
    rf"need to|want to|might|may))\s+(?:{TENTATIVE}))\b",
    re.IGNORECASE,
)
# "Before refactoring anything, we need …": when it is done is not what is done.
WHEN_CLAUSE = re.compile(r"^(?:before|after|when|once|until|while|whenever)\b[^,]{3,120},\s+", re.I)
PAST_SUBJECT = re.compile(
    rf"^(?:the\s+)?(?:team|we|i|they)\s+(?={TENTATIVE_PAST}\b)", re.IGNORECASE
)
CHECK_OF_RESULT = re.compile(r"^(?:see|check|verify|confirm)\s+(?:if|whether)\b", re.IGNORECASE)
CLAUSE_BREAK = re.compile(r"[,;:]\s+|\s+(?:and|but|or|then)\s+|\.\s+")
TENTATIVE_PASSIVE = re.compile(
    r"\b(?:is|are|being|be|was|were)\s+(?:now\s+|currently\s+|actively\s+|still\s+)*(?:being\s+)?"
    r"(?:revisited|investigated|explored|considered|discussed|looked into|evaluated|reviewed|"
    r"examined|researched|reconsidered)\b",
    re.IGNORECASE,
)
# "Investigate and fix X": the investigation ends in a change, so it can be done.
OUTCOME_FOLLOWS = re.compile(
    r"^(?:investigat(?:e|ing)|look(?:ing)? into|research|examin(?:e|ing)|evaluat(?:e|ing)|"
    r"assess(?:ing)?|explor(?:e|ing)|understand|revisit(?:ing)?|review(?:ing)?)\b[^.;]*?\b(?:and|then|to)\s+"
    r"(?:fix|remove|add|patch|resolve|implement|document|write|publish|update|replace|"
    r"decide|choose|pick|select|deploy|ship|create|build|file|open|report|set|raise|lower)\b",
    re.IGNORECASE,
)
# The lead verb of an improvement, in any form: "Improve X", "Improved X", "Increasing X".
IMPROVE_LEAD = re.compile(
    r"^(?:improv(?:e|ed|ing)|enhanc(?:e|ed|ing)|better|strengthen(?:ed|ing)?|expand(?:ed|ing)?|"
    r"increas(?:e|ed|ing)|reduc(?:e|ed|ing)|optimi[sz](?:e|ed|ing)|harden(?:ed|ing)?|"
    r"tighten(?:ed|ing)?|boost(?:ed|ing)?|bolster(?:ed|ing)?|streamlin(?:e|ed|ing)|"
    r"speed(?:ing)? up|minimi[sz](?:e|ing)|maximi[sz](?:e|ing)|clean(?:ing)? ?up|"
    r"rework(?:ed|ing)?|rethink(?:ing)?|redesign(?:ed|ing)?|overhaul(?:ed|ing)?|revamp(?:ed|ing)?|"
    r"make (?:sure|certain) (?:this|it|that)|ensure (?:quality|better|that this|this|it|that it|"
    r"more|proper|good|sufficient|adequate|enough)|fix (?:it|this|that|things)\b|"
    # "address the issues" names nothing; "address the underlying issue with @error" does
    r"address(?:ing)? (?:this|it|that|these|those|them|(?:the |any |all |such |similar )?(?:issues|"
    r"problems|concerns|gaps|shortcomings|weaknesses))\b)\b",
    re.IGNORECASE,
)
# A quality or a speed with nothing to measure it by ("more robust", "quickly"); "resilient
# to Android Studio side effects" names what it must withstand, which a test can check.
COMPARATIVE = re.compile(
    r"\b(?:better|more (?!than\b)[\w-]+|less (?!than\b)[\w-]+|fewer|faster|quicker|sooner|"
    r"easier|simpler|safer|finer|tighter|stronger|clearer|smoother|leaner|healthier|easy|"
    r"(?<=\w )earlier(?! (?:than|in|this|that|today|version|versions|release|releases)\b)|"
    r"more-[\w-]+|(?:robust(?:ness)?|resilien(?:t|ce|cy))(?!\s+(?:to|against)\s)|"
    r"as \w+ as possible|quickly|promptly|swiftly|rapidly|in a timely (?:manner|fashion|way)|"
    r"(?<!not )(?<!in)sufficient(?:ly)?|(?<!not )(?<!in)adequate(?:ly)?|(?<!not )enough|thorough(?:ly)?|"
    r"improved|improvements?)\b",
    re.IGNORECASE,
)
# "The release process should be improved": the improvement, in the passive.
IMPROVE_PASSIVE = re.compile(
    r"\b(?:be|been|being|is|are|was|were|get|gets)\s+(?:\w+ly\s+)?(?:improved|enhanced|"
    r"strengthened|hardened|optimi[sz]ed|reworked|streamlined|tightened|revisited|bettered)\b",
    re.IGNORECASE,
)
# What the improvement will do: "improved to alert when other packages need an update".
IMPROVED_TO = re.compile(
    r"^[^,;.]{0,60}?\bto\s+(?!be\b|make\b|ensure\b|improve\b|help\b)[a-z]+\s+"
    r"(?:when|whenever|if|on|before|after|all|any|every|each|the|a|an)\b",
    re.IGNORECASE,
)
# A link to one change (a pull or merge request, a commit, a Gerrit change) is the action
# itself; a link to an issue, a search or a page only says where the words are.
CHANGE_LINK = re.compile(
    r"/(?:pull|pulls|merge_requests|commit|commits)/\w+|/c/[^\s]+/\+/\d+", re.IGNORECASE
)
# "To prevent this from happening again, we modified the installer": the purpose is not the
# action; what follows the comma is.
PURPOSE = re.compile(
    r"^(?:in order )?to\s[^,]{3,200},\s+(?=(?:we|i|they|the|our|this|it)\b)", re.IGNORECASE
)
EXHORTATION = re.compile(
    r"\b(?:wherever possible|where possible|when(?:ever)? possible|if possible|across the board|"
    r"as (?:much|soon|quickly|far|often|early|fast) as (?:possible|we can|practical)|"
    r"in general|more generally|from now on|at all times|know about it|aware of (?:it|this|that)|"
    r"(?:this|it|that|such (?:issues|incidents|problems|things)|similar (?:issues|incidents|"
    r"problems|things)|recurrences?|a repeat)(?: from)?(?: happening| occurring| recurring)?"
    r"(?: again| in the future| going forward)|"
    r"(?:avoid|prevent)s? (?:this|that|it|these|such|similar|a repeat|recurrences?)\b|"
    r"regularly|periodically|asap|^(?:always|never)\b|"
    r"make sure (?:we|everyone|people|the team|teams|all|engineers|developers) (?:treat|remember|know|"
    r"are aware|think|consider|follow|keep|stay|understand)|"
    r"(?:a |an |some )?(?:different|alternative|another) (?:[\w-]+ ){0,2}?(?:strategy|approach|solution|"
    r"way|method|tool|system|process)|take (?:that|this|it|these|those|them) into (?:consideration|account)|"
    r"(?:remain|remains|are|is|stay|stays|am) (?:fully |deeply |firmly )?committed to)\b",
    re.IGNORECASE,
)
# "Implement proactive alerts", "Add monitoring": a category, not a thing one can point at.
GENERIC = re.compile(
    r"^(?:(?:we|i|they|you)\s+(?:also\s+)?)?(?:add|implement|introduce|create|set ?up|build|write|"
    r"get|have|need|use)\s+(?:a\s+|an\s+)?"
    r"(?:(?:some|more|new|proper|proactive|basic|good|additional|extra|further|automated|"
    r"automatic|better|general|appropriate|relevant|necessary|sufficient|adequate|enough|"
    r"comprehensive|thorough|full|complete|extensive|broader|wider)\s+)*"
    r"(?:(?:test\s+)?coverage|alerts?|alerting|alarms?|monitoring|tests?|testing|checks?|documentation|docs|logging|"
    r"logs|metrics|dashboards?|observability|safeguards?|guardrails?|processes|process|"
    r"tooling|automation|validation)\W*$",
    re.IGNORECASE,
)
# A target that can be checked: a number with a unit or a threshold, or "from … to …".
TARGET = re.compile(
    r"(?:\d+(?:[.,]\d+)?\s*(?:%|×|(?:percent|ms|milliseconds?|s|secs?|seconds?|mins?|minutes?|"
    r"h|hrs?|hours?|days?|weeks?|x|gb|mb|tb|kb|req(?:uests)?/s|rps|qps|nines|connections|"
    r"retries|replicas|nodes)\b)|"
    r"\b(?:below|above|under|over|at most|at least|within|less than|more than|fewer than|"
    r"no more than|up to|to)\s+(?:\d|one|two|three|four|five|ten)|\bfrom\s+\S+\s+to\s+\S+|"
    r"\bwithin (?:a|an|one|the same) (?:minute|hour|day|week|month|business day|working day)\b|"
    r"\bp\d{2,3}\b|\bslo\b)",
    re.IGNORECASE,
)
CONCRETE_OBJECT = re.compile(
    r"\b(?:alerts?|alarms?|pages?|dashboards?|panels?|runbooks?|playbooks?|checklists?|tests?|"
    r"lint(?:er)?s?|metrics?|thresholds?|timeouts?|limits?|quotas?|index(?:es)?|endpoints?|"
    r"jobs?|queues?|pools?|caches?|replicas?|flags?|canar(?:y|ies)|rollbacks?|migrations?|"
    r"templates?|rotations?|tickets?|scripts?|cron(?:jobs?)?|docs?|documentation|guides?|"
    r"pages?|mailing lists?|lists?|channels?|policy|policies|steps?|sections?|fields?|columns?)\b",
    re.IGNORECASE,
)


# What the action is for, not what it is: "Add a check to the deploy script to prevent this
# from happening again" names the check; the hope in the purpose clause is not the deliverable.
PURPOSE_TAIL = re.compile(
    r",?\s+(?:so that|so as to|so|in order to|in order that|to (?:help|make sure|ensure|prevent|"
    r"avoid|allow|enable|let|reduce|improve|speed up|make|catch|detect|guard|protect|"
    r"minimi[sz]e|increase|give|keep|stop)|which (?:will|would|should)|that (?:will|would))\b",
    re.IGNORECASE,
)
DEICTIC = re.compile(r"^(?:this|that|it|these|those|them|things?|stuff)$", re.IGNORECASE)


def _without_purpose(main: str) -> str:
    """The action without its purpose clause, when what is left still names an object."""
    found = PURPOSE_TAIL.search(main)
    if not found:
        return main
    words = re.findall(r"[\w'’-]+", main[: found.start()])
    if words and words[0].lower() in ("we", "i", "they", "you"):
        words = words[1:]  # "we shrink this": the verb comes second
    objects = words[1:]
    if not objects or all(DEICTIC.match(w) for w in objects):
        return main  # "shrink this to let users upgrade faster": nothing named to do
    return main[: found.start()]


@dataclass(frozen=True)
class Vague:
    reason: str  # short | question | link | tentative | no_target | exhortation | generic
    phrase: str


def _main_clause(text: str) -> str:
    if TENTATIVE_LEAD.match(text):
        return text  # "Determine whether the cache should be shared": the verb leads already
    text = PAST_SUBJECT.sub("", WHEN_CLAUSE.sub("", text, count=1), count=1)
    return PREFACE.sub("", text, count=1).strip()


def vagueness(title: str) -> Vague | None:
    """Why nobody could tell when this action is done, or None if they could."""
    raw = " ".join(title.split())
    text = plain(raw).strip(" .;:-–—*")
    words = re.findall(r"[A-Za-z0-9'’]+", text.replace(PLACEHOLDER, ""))
    if not words:
        if CHANGE_LINK.search(raw):
            return None
        return Vague("link", raw[:40]) if raw else None
    if len(words) < 3 and len(re.findall(r"[A-Za-z0-9'’]+", text)) < 3:
        return Vague("short", text)
    if "?" in text:  # "…?" or "(and built?)": the writer is not sure yet what will be done
        return Vague("question", text[max(0, text.index("?") - 39) : text.index("?") + 1])
    text = PURPOSE.sub("", text, count=1)
    main = _without_purpose(_main_clause(text))
    # A tentative verb is forgiven when the same title says what done looks like: a target
    # ("consider a 30 s timeout") or the change the investigation ends in ("… and fix it").
    targeted = bool(TARGET.search(text))
    for at, clause in enumerate([main, *(_main_clause(c) for c in CLAUSE_BREAK.split(main)[1:])]):
        if at and CHECK_OF_RESULT.match(clause):
            continue  # "re-run the transaction and see if the root is right": a test's result
        lead = TENTATIVE_LEAD.match(clause)
        if lead and not targeted and not OUTCOME_FOLLOWS.match(clause):
            return Vague("tentative", lead.group(0))
    passive = TENTATIVE_PASSIVE.search(main)
    if passive:
        return Vague("tentative", passive.group(0))
    exhortation = EXHORTATION.search(main)
    if exhortation:
        return Vague("exhortation", exhortation.group(0))
    generic = GENERIC.match(main)
    if generic:
        return Vague("generic", generic.group(0))
    if targeted:
        return None
    improve = IMPROVE_LEAD.match(main) or IMPROVE_PASSIVE.search(main)
    if improve and not _says_what_it_will_do(main, improve):
        return Vague("no_target", improve.group(0))
    comparative = COMPARATIVE.search(main)
    if comparative and not (
        comparative.group(0).lower().startswith("improve")
        and _says_what_it_will_do(main, comparative)
    ):
        return Vague("no_target", comparative.group(0))
    return None


def _says_what_it_will_do(main: str, improvement: re.Match[str]) -> bool:
    """ "The script will be improved to alert when …": the improvement names its outcome."""
    return bool(IMPROVED_TO.search(main[improvement.end() :]))


def title_is_vague(title: str) -> bool:
    return vagueness(title) is not None


# --- Two actions in one ---------------------------------------------------------------------

ACTION_VERBS = (
    r"add|update|fix|create|remove|write|document|review|audit|migrate|increase|reduce|set|"
    r"configure|enable|disable|move|change|rename|deploy|schedule|train|replace|rewrite|delete|"
    r"build|introduce|automate|think|consider|look|investigate|implement|notify|keep|"
    r"publish|announce|rotate|revoke|upgrade|pin|teach|hire|subscribe|split|merge|ensure|make|"
    r"refactor|test|run|establish|require|setup|set up|invalidate|retain|disable|bump|lift|"
    r"restore|restart|apply|coordinate|share|track|tag|limit|restrict|allow|provide|"
    r"send|inform|contact|define|develop|deprecate|expose|extend|install|integrate|verify|"
    r"validate|enforce|harden|improve|explore|reflect|discuss|figure|revisit|assess|evaluate|"
    r"decide|communicate|clarify|simplify|expand|redesign|backport|cherry-pick|disclose|"
    r"contribute|unify|standardi[sz]e|formali[sz]e|document|describe|teach|prioriti[sz]e|"
    r"advertise|promote|publici[sz]e"
)
# Past tense on both sides of "and", as reports list what was done: "Repeated the upgrade and
# validated the migration logic" (not "failed and stalled jobs": the word before "and" is a
# verb there too, so the pair is one description).
PAST_PAIR = re.compile(r"^(?:we\s+)?[a-z]+ed\b(?:\s+\S+)*?\s+(?<!ed\s)and\s+([a-z]+ed)\s+\w", re.I)
# Two clauses, each with its own subject and verb: "the users were disabled, and the crates
# were deleted".
TWO_CLAUSES = re.compile(
    r",\s+and\s+(?:the|a|an|our|their|its|all|some|this|these|those|any|each|every|both)\s+"
    r"(?:[\w/.'’-]+\s+){0,4}?(?:was|were|is|are|has been|have been|will be)\s+"
    r"(?:\w+ly\s+)?\w+ed\b"
    r"|,?\s+(?:and|but)\s+(?:also\s*,?\s+)?(?:we|they|i)\s+(?:also\s+)?(?:\w+ly\s+)?\w+ed\b"
    # "the procedures are documented and tested": two states, each its own work
    r"|\b(?:are|is|be|been|being|were|was)\s+(?!found\b|identified\b|investigated\b|"
    r"reproduced\b|diagnosed\b|signed\b)(\w+ed)\s+and\s+(?!\1\b)\w+ed\b(?!\s+(?:by|to|from|with)\b)"
    # "torchtriton has been removed as a dependency … and replaced with pytorch-triton"
    r"|\b(?:has been|have been|had been|was|were)\s+(?!found\b|identified\b)\w+ed\b[^.;]{3,80}?\band\s+"
    r"(?:then\s+)?\w+ed\s+(?:with|by|to|from|in|on)\b"
    # "by verifying how tokens are managed, securing invocations of the CLI": two means, two jobs
    r"|\bby\s+\w+ing\b[^,;]{3,80},\s+(?:and\s+)?\w+ing\b"
    # "Write down the deployment documentation & a checklist": two things to make
    r"|^(?:write(?: down)?|add|create|build|set ?up|draft|prepare|produce|publish|introduce|implement)\b"
    r"[^,;&]{3,80}?\s(?:and|&)\s+(?:a|an)\s+(?:new\s+)?\w+"
    # "the bug will be fixed in this PR, and once merged, it will undergo a test"
    r"|,\s+and\s+(?:[^,]{1,40},\s+)?(?:it|they|we|this|that)\s+will\s+(?!be\b)\w+",
    re.IGNORECASE,
)
# Steps of one deliverable: "investigate and fix", "test and notify", "scan and secure".
# A look that ends in a change ("review who has access, and ensure it is limited") is one.
PHASES = re.compile(
    r"\b(?:investigate|identify|diagnose|design|plan|scope|draft|test|scan|build|write|"
    r"find|reproduce|prototype|spec|specify|revisit|review|evaluate|assess|measure|audit)\b"
    r"[^.;]{0,80}?\band (?:fix|patch|resolve|implement|notify|secure|deploy|publish|ship|"
    r"release|document|alert|test|roll out|remove|set|change|raise|lower|update|adjust|ensure|"
    r"limit|restrict|revoke)\b",
    re.IGNORECASE,
)
JOINED = re.compile(
    rf"(?:\band|&|\bthen|\balso|\bplus|\bas well as|;)\s+(?:also\s+)?(?:to\s+)?(?:{ACTION_VERBS})(?:e?s|ing)?\b"
    r"|\band\s+(?:[\w/.-]+\s+){1,3}(?:should|will|must|need to)\b"
    # a second, negative directive: "Raise an incident quicker, and not assume …"
    r"|,\s+and\s+(?:do\s+)?(?:not|never|don'?t)\s+(?!only\b|just\b)[a-z]+",
    re.IGNORECASE,
)
# Verbs of work, base forms. After "and" with an object of its own ("…, and alert the
# on-call", "and move them"), such a word is a second action whatever the list above says;
# without one ("alert rules", "release notes") it is a noun.
WORK_VERBS = (
    r"accept|adjust|adopt|alert|align|allocate|archive|ask|attach|backfill|block|bump|cache|"
    r"cancel|cap|capture|change|check|clean|clear|close|collect|compare|configure|confirm|"
    r"connect|copy|correct|cover|cut|debug|delete|deliver|deploy|detect|disable|drop|email|"
    r"encrypt|escalate|exclude|expire|export|file|fill|fix|flag|force|fork|freeze|gate|grant|"
    r"handle|hide|host|import|include|increase|index|inform|install|invite|isolate|kill|label|"
    r"launch|lock|log|mark|measure|mention|message|mirror|move|name|note|notify|open|order|"
    r"own|page|patch|pause|ping|point|post|print|prune|purge|push|put|query|raise|rebuild|"
    r"record|redeploy|reduce|refresh|register|reject|release|reload|remind|remove|rename|"
    r"repair|replace|reply|report|request|rerun|reset|resize|resolve|restart|restore|resume|"
    r"retire|retry|return|revert|revoke|roll|rotate|route|save|scale|scan|schedule|scrub|"
    r"secure|send|separate|ship|show|shut|sign|skip|sort|start|stop|store|submit|suspend|"
    r"switch|sync|tell|track|trigger|turn|unblock|uninstall|unlock|unpin|update|upgrade|"
    r"upload|use|verify|warn|watch|wipe|write|yank|prove|demonstrate|hire|buy|contact|call|"
    r"enforce|rewrite|refactor|review|audit|test|monitor|train|migrate"
)
SECOND_VERB = re.compile(
    rf"(?:,\s*(?:and\s+|then\s+|&\s+|plus\s+)+|\s+(?:and|&|plus)\s+(?:then\s+)?)(?:also\s+)?"
    rf"(?:{WORK_VERBS})(?:e?s|e?d)?\s+"
    r"(?:the|a|an|our|all|any|its|their|this|these|those|each|every|it|them|him|her|us|users|"
    r"everyone|people|(?-i:[A-Z][\w-]+)\s+(?:team|users|maintainers|admins|on-?call))\b",
    re.IGNORECASE,
)
A_VERB = re.compile(rf"(?:{WORK_VERBS}|{ACTION_VERBS})(?:e?s|e?d)?|\w+ed", re.IGNORECASE)
QUALITY_OF = re.compile(
    r"\b(?:easy|easier|hard|harder|simple|simpler|safe|safer|quick|quicker|able|possible|"
    r"difficult|straightforward|cheap|cheaper)\s+to\s+[\w-]+\s*,?\s*$",
    re.IGNORECASE,
)
# "Document the install and upgrade steps": the word after "and" modifies a noun, so it is
# not a second verb.
COMPOUND_HEAD = re.compile(
    r"^\s+(?:steps?|process(?:es)?|procedures?|paths?|notes|docs|guides?|scripts?|jobs?|logic|"
    r"flows?|windows?|plans?|pipelines?|tooling|tests?|times?|errors?|failures?|issues?|"
    r"instructions|checklists?|policy|policies|history|events?|logs?|requests?|cycles?)\b",
    re.IGNORECASE,
)


def title_is_joined(title: str) -> bool:
    text = plain(title)
    purpose = PURPOSE_TAIL.search(text)
    if purpose and len(text[: purpose.start()].split()) >= 3:
        text = text[: purpose.start()]  # "… so the team is aware and provides support": why
    main = _main_clause(PURPOSE.sub("", text, count=1))
    pair = PAST_PAIR.match(main)
    if pair and not PHASES.search(main):
        return True
    if TWO_CLAUSES.search(main):
        return True
    # "Investigate X and fix it" is one action: the join that ends such a phase pair is not
    # a second action (a later one still is).
    phase_ends = {phase.end() for phase in PHASES.finditer(text)}
    for match in JOINED.finditer(text):
        if match.end() in phase_ends or COMPOUND_HEAD.match(text[match.end() :]):
            continue
        if QUALITY_OF.search(text[: match.start()]):
            continue  # "easy to maintain and expand": one quality of one thing
        return True
    phases = [phase.span() for phase in PHASES.finditer(text)]
    for match in SECOND_VERB.finditer(text):
        before = re.findall(r"[\w'’-]+", text[: match.start()])
        if before and A_VERB.fullmatch(before[-1]):
            continue  # "merged and deployed a change": two verbs, one object, one action
        if any(start < match.start() < end for start, end in phases):
            continue  # "how to scan and secure their infrastructure"
        return True
    return False


# --- Directives ------------------------------------------------------------------------------

DIRECTIVE_LEAD = re.compile(
    rf"^(?:(?:{ACTION_VERBS}|{WORK_VERBS}|avoid|prefer|start|stop|be|have|get|focus|prepare|"
    rf"plan|spend|take|give|keep|try|look|find|talk|always|never|don'?t|do not|let)\b"
    rf"|{TENTATIVE})",
    re.IGNORECASE,
)
NOT_IMPERATIVE = re.compile(
    r"^(?:\s+[\w'’-]+){0,2}?\s+(?:is|was|are|were|has|have|had|can|could|will|would|should|must|may|might|does|did|"
    r"of|and|or|went|worked|helped|took|made|got|became|needed|seemed)\b|^['’]s\b",
    re.IGNORECASE,
)


def is_directive(text: str) -> bool:
    """A bullet that tells the reader what to do: "Build a playable game first", "Don't
    skip the smoke test" (not "Test coverage was low": a noun and its verb)."""
    words = plain(text).strip(" *_-")
    lead = DIRECTIVE_LEAD.match(words)
    return lead is not None and not NOT_IMPERATIVE.match(words[lead.end() :])


# --- The hints ------------------------------------------------------------------------------

TOPICS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"\b(alert|alarm|monitor|page|paging|detect|observab|dashboard)", re.I),
        "name the alert, its threshold and who it pages: “Add an alert when the pool is above "
        "80% for 5 minutes, paging on-call”",
    ),
    (
        re.compile(r"\b(test|coverage|qa|smoke|regression)", re.I),
        "name the test and the case it covers: “Add a smoke test that downloads one crate "
        "through the CDN after each deploy”",
    ),
    (
        re.compile(r"\b(doc|runbook|playbook|guide|wiki|readme|announce|communicat)", re.I),
        "name the page and what it will say: “Add the rollback steps for the ingress to the "
        "runbook”",
    ),
    (
        re.compile(r"\b(process|review|policy|procedure|release|deploy|workflow)", re.I),
        "name the step, who does it and when: “Require a second reviewer on changes to the "
        "download endpoint”",
    ),
]
DEFAULT_PATTERN = (
    "name the thing and how much: “Add an alert when the pool is above 80% for 5 minutes, "
    "paging on-call”, not “Improve monitoring”"
)
REASONS = {
    "short": "The title is too short to act on.",
    "question": "The title asks a question instead of saying what will be done.",
    "link": "The title is only a link: say in words what will be done (keep the link).",
    "tentative": "“{phrase}” does not say what will change, so nobody can tell when it is done.",
    "no_target": "“{phrase}” has no target, so nobody can tell when it is done.",
    "exhortation": "“{phrase}” asks for good intentions, not a change.",
    "generic": "“{phrase}” names a kind of thing, not the thing: nobody can tell when it is done.",
}


def _pattern_for(title: str) -> str:
    for topic, pattern in TOPICS:
        if topic.search(title):
            return pattern
    return DEFAULT_PATTERN


def vague_hint(title: str) -> Hint | None:
    found = vagueness(title)
    if found is None:
        return None
    message = REASONS[found.reason].format(phrase=found.phrase)
    pattern = _pattern_for(title)
    if found.reason == "tentative":
        pattern = "say what the work decides or changes, then " + pattern
    return Hint("action.vague", message, pattern[0].upper() + pattern[1:] + ".")


def action_hints(
    *,
    title: str,
    owner: str | None,
    due_on: dt.date | None,
    size: str,
    definition_of_done: str,
    today: dt.date,
) -> list[Hint]:
    hints = []
    vague = vague_hint(title) if title.strip() else None
    if vague:
        hints.append(vague)
    if title_is_joined(title):
        hints.append(
            Hint(
                "action.joined",
                "This looks like two actions in one.",
                "Split it so each can have its own owner, date and definition of done.",
            )
        )
    if owner is None or owner_is_group(owner):
        hints.append(
            Hint(
                "action.owner",
                "The owner is not a person." if owner else "The action has no owner.",
                "Name one person who will do it or see it done; a team cannot be chased.",
            )
        )
    if due_on is None:
        hints.append(
            Hint(
                "action.due",
                "The action has no due date.",
                "Give it a real date, not “soon”: for example two weeks from today.",
            )
        )
    elif due_on < today:
        hints.append(
            Hint(
                "action.past",
                "The due date is in the past.",
                "Pick a date the owner can still meet.",
            )
        )
    if not size:
        hints.append(
            Hint(
                "action.size",
                "The action has no size.",
                "Say roughly hours, days or weeks: it shows whether the date is realistic.",
            )
        )
    if not definition_of_done.strip():
        hints.append(
            Hint(
                "action.done",
                "There is no definition of done.",
                "Say how we will know it is finished: “the alert fired in a drill and paged on-call”.",
            )
        )
    return hints
