"""One pull (or merge) request as the code host's REST API answers it: GitHub
(`GET /repos/{owner}/{repo}/pulls/{number}`), GitLab (`GET /projects/:id/merge_requests/:iid`)
or Bitbucket Cloud (`GET /2.0/repositories/{workspace}/{repo}/pullrequests/{id}`), told apart
by their shape. Each fills what its answer carries and says what it lacks."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from aar_project.dates import in_range
from reviews.imports.common import ImportRefused
from reviews.models import PullRequestType


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


MAX_PR_BYTES = 2 * 1024 * 1024

HOSTS = "GitHub (number, html_url), GitLab (iid, web_url) or Bitbucket (type: pullrequest)"
SINGLE = {
    "GitHub": "GET /repos/{owner}/{repo}/pulls/{number}",
    "GitLab": "GET /projects/:id/merge_requests/:iid",
    "Bitbucket": "GET /2.0/repositories/{workspace}/{repo}/pullrequests/{id}",
}

_TYPE_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (PullRequestType.BUG_FIX, re.compile(r"\b(bug|bugfix|bug fix|fix|hotfix|regression)\b", re.I)),
    (PullRequestType.FEATURE, re.compile(r"\b(feature|feat|new feature)\b", re.I)),
    (PullRequestType.ENHANCEMENT, re.compile(r"\b(enhancement|improvement|perf)\b", re.I)),
    (PullRequestType.REFACTOR, re.compile(r"\b(refactor\w*|cleanup|clean up|tech debt)\b", re.I)),
    (
        PullRequestType.INFRASTRUCTURE,
        re.compile(r"\b(infra\w*|ci|devops|build|dependencies|deps|chore)\b", re.I),
    ),
)
_CONVENTIONAL = re.compile(r"^(?P<type>\w+)(\([^)]*\))?!?:\s")


@dataclass
class PullRequestAnswer:
    host: str
    fields: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    description: str = ""
    lacks: list[str] = field(default_factory=list)


def pr_type_from(labels: list[str], title: str) -> str:
    """The PR type a label names ('bug', 'type: feature', 'kind/cleanup'), or else the one a
    conventional-commit title starts with ('fix: …'); empty when neither says."""
    for text in labels:
        for kind, pattern in _TYPE_WORDS:
            if pattern.search(text.replace("/", " ").replace(":", " ")):
                return kind
    match = _CONVENTIONAL.match(title)
    if match:
        for kind, pattern in _TYPE_WORDS:
            if pattern.fullmatch(match.group("type")):
                return kind
    return ""


def _moment(data: dict[str, Any], key: str) -> dt.datetime | None:
    value = data.get(key)
    if not value:
        return None
    text = re.sub(r"\s*(Z|UTC|GMT)$", "+00:00", str(value).strip())  # '2016-09-15 05:52:11 UTC'
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise ImportRefused(f"'{key}' is not a date and time: {value!r}.") from exc
    moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    try:
        ok = in_range(moment.astimezone(dt.UTC))
    except OverflowError:
        ok = False
    if not ok:
        raise ImportRefused(f"'{key}' is outside 1970–2200: {value!r}.")
    return moment


def _count(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, str) and re.fullmatch(r"\d+\+?", value.strip()):
        return int(value.strip().rstrip("+"))  # GitLab's changes_count: "12", "1000+"
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ImportRefused(f"'{key}' must be a whole number, not {value!r}.")
    return value


def _url(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise ImportRefused(f"'{key}' must be an http(s) address.")
    return value[:200]


def _names(people: Any, *keys: str) -> list[str]:
    found = []
    for person in people if isinstance(people, list) else []:
        if isinstance(person, dict):
            for key in keys:
                if isinstance(person.get(key), str) and person[key]:
                    found.append(person[key])
                    break
    return found


def _login(person: Any, *keys: str) -> str:
    names = _names([person], *keys)
    return names[0] if names else ""


def _labels(value: Any) -> list[str]:
    labels = []
    for label in value if isinstance(value, list) else []:
        if isinstance(label, str):
            labels.append(label)
        elif isinstance(label, dict) and isinstance(label.get("name"), str):
            labels.append(label["name"])
    return labels


def _described(
    answer: PullRequestAnswer, data: dict[str, Any], *, description: Any
) -> PullRequestAnswer:
    """What every host's answer says in words: title, description, labels and the PR type
    they point at."""
    labels = _labels(data.get("labels"))
    answer.title = str(data.get("title") or "")
    answer.description = str(description or "")
    if labels:
        answer.fields["labels"] = ", ".join(labels)
    answer.fields["pr_type"] = pr_type_from(labels, answer.title)
    return answer


def _github(data: dict[str, Any]) -> PullRequestAnswer:
    answer = PullRequestAnswer(host="GitHub")
    f = answer.fields
    f["number"] = _count(data, "number")
    if data.get("html_url"):
        f["url"] = _url(data["html_url"], "html_url")
    f["author"] = _login(data.get("user"), "login")
    reviewers = _names(data.get("requested_reviewers"), "login")
    reviewers += _names(data.get("requested_teams"), "slug", "name")
    f["reviewers"] = ", ".join(reviewers)
    f["opened_at"] = _moment(data, "created_at")
    f["merged_at"] = _moment(data, "merged_at")
    f["merged_by"] = _login(data.get("merged_by"), "login")
    for key, name in (
        ("additions", "lines_added"),
        ("deletions", "lines_removed"),
        ("changed_files", "files_changed"),
    ):
        f[name] = _count(data, key)
    if f["files_changed"] is None:
        answer.lacks.append("files changed and lines added and removed (a list answer)")
    return _described(answer, data, description=data.get("body"))


def _gitlab(data: dict[str, Any]) -> PullRequestAnswer:
    answer = PullRequestAnswer(host="GitLab")
    f = answer.fields
    f["number"] = _count(data, "iid")
    if f["number"] is None:
        answer.lacks.append("the merge request's number (this older answer has only its id)")
    if data.get("web_url"):
        f["url"] = _url(data["web_url"], "web_url")
    f["author"] = _login(data.get("author"), "username", "name")
    f["reviewers"] = ", ".join(_names(data.get("reviewers"), "username", "name"))
    f["opened_at"] = _moment(data, "created_at")
    f["merged_at"] = _moment(data, "merged_at")
    f["merged_by"] = _login(data.get("merge_user"), "username", "name") or _login(
        data.get("merged_by"), "username", "name"
    )
    f["files_changed"] = _count(data, "changes_count")
    answer.lacks.append("lines added and removed (GitLab's answer does not carry them)")
    return _described(answer, data, description=data.get("description"))


def _bitbucket(data: dict[str, Any]) -> PullRequestAnswer:
    answer = PullRequestAnswer(host="Bitbucket")
    f = answer.fields
    f["number"] = _count(data, "id")
    links = _dict(data.get("links"))
    html = _dict(links.get("html"))
    if html.get("href"):
        f["url"] = _url(html["href"], "links.html.href")
    f["author"] = _login(data.get("author"), "nickname", "display_name", "username")
    reviewers = _names(data.get("reviewers"), "nickname", "display_name", "username")
    if not reviewers:
        reviewers = [
            _login(p.get("user"), "nickname", "display_name", "username")
            for p in data.get("participants") or []
            if isinstance(p, dict) and p.get("role") == "REVIEWER"
        ]
    f["reviewers"] = ", ".join(r for r in reviewers if r)
    f["opened_at"] = _moment(data, "created_on")
    if data.get("state") == "MERGED":
        f["merged_by"] = _login(data.get("closed_by"), "nickname", "display_name", "username")
    answer.lacks.append(
        "the time of the merge, files changed and lines added and removed "
        "(Bitbucket's answer does not carry them)"
    )
    summary = _dict(data.get("summary"))
    return _described(answer, data, description=data.get("description") or summary.get("raw"))


def parse_pull_request(raw: bytes) -> PullRequestAnswer:
    if len(raw) > MAX_PR_BYTES:
        raise ImportRefused("The pull-request file is larger than 2 MB.")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ImportRefused("The pull-request file is not UTF-8 text.") from exc
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            f"The pull-request file is not valid JSON: {exc.msg} (line {exc.lineno})."
        ) from exc
    if isinstance(data, list) or (isinstance(data, dict) and isinstance(data.get("values"), list)):
        items = data if isinstance(data, list) else data["values"]
        looks = [i for i in items if isinstance(i, dict) and "title" in i]
        what = (
            f"a list of {len(items)} pull request{'s' if len(items) != 1 else ''}"
            if items and len(looks) == len(items)
            else f"a JSON list of {len(items)} item{'s' if len(items) != 1 else ''}"
        )
        raise ImportRefused(
            f"This is {what}, not one pull request's answer. Save the answer for the one "
            f"pull request: {SINGLE['GitHub']} (GitHub), {SINGLE['GitLab']} (GitLab) or "
            f"{SINGLE['Bitbucket']} (Bitbucket)."
        )
    if not isinstance(data, dict):
        raise ImportRefused("The pull-request file must hold one JSON object.")
    if data.get("type") == "pullrequest" or (
        "links" in data and "created_on" in data and "id" in data
    ):
        answer = _bitbucket(data)
    elif "iid" in data or ("project_id" in data and "source_branch" in data):
        answer = _gitlab(data)
    elif "number" in data:  # GitHub, or a hand-written answer in its shape
        answer = _github(data)
    else:
        keys = ", ".join(sorted(str(k) for k in data)[:8]) or "none"
        raise ImportRefused(
            f"This is not a pull request's answer from {HOSTS}; its keys are: {keys}."
        )
    answer.fields = {k: v for k, v in answer.fields.items() if v not in (None, "")}
    answer.title = answer.title.strip()[:200]
    return answer
