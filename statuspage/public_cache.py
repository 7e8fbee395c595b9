"""Whole-response caching for everything public: the page, /api/v2, feeds and badges.

A public view decorated with @public_response is rendered once per (path, language, page
version) and then served from the cache until something on the page changes: the key holds
incidents.changes.page_changed_at(), which every write moves forward after commit, so the next
request after an update renders afresh. Responses carry an ETag and Last-Modified (conditional
GETs get 304), a Cache-Control that lets nginx or a CDN hold them for a second and serve them
stale if Noroshi fails, and no cookies.

Only valid values of the parameters a view declares (and `lang`) reach it and its cache key,
so nobody can fill the cache or the disk with variants: `/?x=<random>` is the same entry as
`/`; an unknown `?lang=` is redirected to the URL without it; the views answer 404 (never
cached) for values they do not know (a history page past the last). Free-text parameters (a
badge's label) are rendered for each request and never kept.

Each rendering is also kept as a snapshot on disk (statuspage.snapshots): when the database is
down and the cache has lost an entry, the last good rendering is served instead of an error.

The page never depends on the shared cache being up (incidents.shared_cache): a page comes
from this process's memory, else the shared cache, else a fresh rendering, else the snapshot;
a cache that fails is skipped for a few seconds, and while the page stamp cannot be read this
process renders its pages afresh every NOROSHI_LOCAL_PAGE_SECONDS (incidents.changes).
"""

import functools
import hashlib
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, field

from csp.constants import HEADER as CSP_HEADER
from django.core.signals import setting_changed
from django.db import DatabaseError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    HttpResponseRedirect,
    QueryDict,
)
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.encoding import escape_uri_path
from django.utils.http import http_date, parse_etags

from incidents import shared_cache
from incidents.changes import PageStamp, recent_page_stamp
from incidents.metrics import PUBLIC_CACHE
from statuspage import snapshots
from statuspage.languages import PUBLIC_LANGUAGES, public_language

# One second fresh for shared caches; stale copies may serve while one request revalidates, and
# for a day if Noroshi itself answers with an error.
CACHE_CONTROL = "public, max-age=1, s-maxage=1, stale-while-revalidate=1, stale-if-error=86400"
ENTRY_SECONDS = 3600
# A snapshot served while the database is down is held this briefly, so that the page is
# rendered afresh soon after the database is back.
STALE_SECONDS = 2
# The attribute that tells statuspage.middleware a response is public (its headers are final).
PUBLIC_MARK = "noroshi_public"
# The query parameter every public view accepts.
COMMON_PARAMS = frozenset({"lang"})
SNAPSHOT_HEADER = "X-Noroshi-Snapshot"
# Where each answer came from (incidents.metrics), bound once: counting stays off the hot
# path's costs.
SOURCES = {name: PUBLIC_CACHE.labels(name) for name in ("memory", "cache", "render", "snapshot")}


class LocalPages:
    """The last few pages this process served, by key: a cached hit then costs no trip to the
    shared cache (and no unpickling of a 170 KB entry). Keys carry the page stamp, so a change
    simply stops matching them."""

    def __init__(self, size: int = 64):
        self.size = size
        self.pages: OrderedDict[str, CachedPage] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> "CachedPage | None":
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key: str, page: "CachedPage") -> None:
        with self.lock:
            self.pages[key] = page
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)

    def clear(self, **kwargs) -> None:
        with self.lock:
            self.pages.clear()


local_pages = LocalPages()
# Tests swap the cache (its settings) under a running process.
setting_changed.connect(local_pages.clear)


@dataclass
class CachedPage:
    """One rendered public response, as kept in the cache and in the snapshot."""

    body: bytes
    content_type: str
    etag: str
    changed_at: float
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def is_snapshot(self) -> bool:
        return SNAPSHOT_HEADER in self.headers


def keep_params(request: HttpRequest, allowed: frozenset[str]) -> None:
    """Keep only the declared query parameters, the first value of each, in name order, so
    that nothing else can vary the response or its key."""
    names = list(request.GET)
    if not names:
        return
    kept_names = sorted(allowed.intersection(names))
    if kept_names == names and all(len(request.GET.getlist(name)) == 1 for name in names):
        return
    kept = QueryDict(mutable=True)
    for name in kept_names:
        kept.setlist(name, request.GET.getlist(name)[:1])
    request.GET = kept  # type: ignore[assignment]  # read-only to views, like the original


def unknown_language(request: HttpRequest) -> bool:
    return "lang" in request.GET and request.GET["lang"] not in PUBLIC_LANGUAGES


def without_language(request: HttpRequest) -> HttpResponse:
    """A redirect to this URL without its unknown `?lang=` (never cached: no Cache-Control)."""
    query = request.GET.copy()
    del query["lang"]
    url = escape_uri_path(request.path)
    return HttpResponseRedirect(f"{url}?{query.urlencode()}" if query else url)


def cache_key(kind: str, request: HttpRequest, language: str, stamp: PageStamp | None) -> str:
    canonical = f"{request.path}?{request.GET.urlencode()}"
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:32]
    if stamp is None:
        version = ""
    else:
        # A stamp of this process's own never names an entry made under a shared one.
        version = f"{stamp.at:.6f}" if stamp.shared else f"local-{stamp.at:.6f}"
    return f"public:{kind}:{language}:{version}:{digest}"


def public_response(
    view=None,
    *,
    cors: bool = False,
    negotiate_language: bool = True,
    params: tuple[str, ...] = (),
    text_params: tuple[str, ...] = (),
    extra_headers: dict[str, str] | None = None,
):
    """Decorate a public GET view: cache its 200 responses whole (see the module docstring).

    `cors` adds Access-Control-Allow-Origin: * (the JSON API). With `negotiate_language` off,
    only `?lang=` chooses the language: Accept-Language is ignored and not in Vary (machine
    clients send their browser's header and expect the page's own wording). `params` names
    the query parameters the view reads besides `lang`; the view answers 404 for a value it
    does not know, so that only valid values are cached. `text_params` names free-text ones
    (any value is valid): a request carrying one is rendered and never cached. `extra_headers`
    are set on every response served.
    """
    options = PublicOptions(
        cors=cors,
        negotiate_language=negotiate_language,
        allowed=COMMON_PARAMS | set(params) | set(text_params),
        text=frozenset(text_params),
        extra=tuple((extra_headers or {}).items()),
    )

    def decorate(view_func):
        @functools.wraps(view_func)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return view_func(request, *args, **kwargs)
            keep_params(request, options.allowed)
            if unknown_language(request):
                return without_language(request)
            language = public_language(request, negotiate=options.negotiate_language)
            view = functools.partial(view_func, request, *args, **kwargs)
            page = page_for(view, request, language, options)
            if isinstance(page, HttpResponse):
                return page  # not a 200: served as is, never cached
            return serve(request, page, language, options)

        wrapper.public_options = options  # read by served_from_memory()
        return wrapper

    return decorate(view) if view is not None else decorate


@dataclass(frozen=True)
class PublicOptions:
    """How one public view is cached and served (see public_response)."""

    cors: bool
    negotiate_language: bool
    allowed: frozenset[str]
    text: frozenset[str]
    extra: tuple[tuple[str, str], ...]


def page_for(view, request: HttpRequest, language: str, options: PublicOptions):
    """The page for this request: from this process's memory, else the shared cache, else a
    fresh rendering (or the snapshot), kept where it may be. A response that is not a 200
    comes back as it is."""
    stamp = recent_page_stamp()
    if options.text.intersection(request.GET):
        return render(view, language, stamp, snapshot_name=None)
    key = cache_key("page", request, language, stamp)
    page = local_pages.get(key)
    if page is not None:
        SOURCES["memory"].inc()
        return page
    page = shared_cache.get(key) if stamp.shared else None
    if isinstance(page, CachedPage):
        SOURCES["cache"].inc()
    else:
        page = render(view, language, stamp, cache_key("snapshot", request, language, None))
        if isinstance(page, HttpResponse):
            return page
        if stamp.shared:
            shared_cache.put(key, page, STALE_SECONDS if page.is_snapshot else ENTRY_SECONDS)
    # A key of this process's own expires with its stamp: even a snapshot may stay under it.
    if not (stamp.shared and page.is_snapshot):
        local_pages.put(key, page)
    return page


def served_from_memory(request: HttpRequest) -> HttpResponse | None:
    """The response to a GET/HEAD of a public page this process holds in memory, or None.

    For statuspage.middleware.PublicPageMiddleware: answering before sessions, CSRF,
    authentication and messages run for a page that is the same for everyone.
    """
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    options = getattr(match.func, "public_options", None)
    if options is None:
        return None
    keep_params(request, options.allowed)
    if unknown_language(request) or options.text.intersection(request.GET):
        return None
    language = public_language(request, negotiate=options.negotiate_language)
    page = local_pages.get(cache_key("page", request, language, recent_page_stamp()))
    if page is None:
        return None
    SOURCES["memory"].inc()
    return serve(request, page, language, options)


def render(view, language: str, stamp: PageStamp, snapshot_name: str | None):
    """Render the view in `language`; a 200 becomes a CachedPage (and, given a
    `snapshot_name`, the snapshot). With the database down, the snapshot stands in."""
    try:
        with translation.override(language):
            response = view()
            if hasattr(response, "render") and callable(response.render):
                response.render()
    except DatabaseError:
        stored = None if snapshot_name is None else snapshots.read(snapshot_name)
        if stored is None:
            raise
        meta, body = stored
        stale = CachedPage(body=body, **meta)
        stale.headers[SNAPSHOT_HEADER] = "stale"
        SOURCES["snapshot"].inc()
        return stale
    if response.status_code != 200 or response.streaming:
        return response
    body = response.content
    page = CachedPage(
        body=body,
        content_type=response["Content-Type"],
        etag=f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"',
        changed_at=stamp.at,
        headers={
            name: value
            for name, value in response.items()
            if name.lower() not in {"content-type", "content-length", "set-cookie", "vary"}
        },
    )
    SOURCES["render"].inc()
    if snapshot_name is not None:
        meta = {k: v for k, v in asdict(page).items() if k != "body"}
        snapshots.write(snapshot_name, meta, body)
    return page


def matches(page: CachedPage, if_none_match: str | None) -> bool:
    """If-None-Match names this page (compared weakly, as RFC 9110 says for GET: a proxy that
    compressed the body may have marked the tag weak)."""
    if not if_none_match:
        return False
    tags = {tag.removeprefix("W/") for tag in parse_etags(if_none_match)}
    return page.etag in tags or "*" in tags


def serve(request: HttpRequest, page: CachedPage, language: str, options: PublicOptions):
    """The response for `page`: 304 when the client's validators match, else the body."""
    response: HttpResponse
    if matches(page, request.headers.get("If-None-Match")):
        response = HttpResponseNotModified()
        # A cache that revalidates may take the 304's headers for its copy's: the policy
        # must be the body's own (a brand style's hash: statuspage.page_frame).
        if CSP_HEADER in page.headers:
            response[CSP_HEADER] = page.headers[CSP_HEADER]
    else:
        response = HttpResponse(page.body, content_type=page.content_type)
        for name, value in page.headers.items():
            response[name] = value
        response["Content-Length"] = str(len(page.body))
    response["ETag"] = page.etag
    if page.changed_at:
        response["Last-Modified"] = http_date(page.changed_at)
    response["Cache-Control"] = CACHE_CONTROL
    response["Content-Language"] = language
    if options.cors:
        response["Access-Control-Allow-Origin"] = "*"
    for name, value in options.extra:
        response[name] = value
    if options.negotiate_language:
        patch_vary_headers(response, ("Accept-Language",))
    setattr(response, PUBLIC_MARK, True)
    return response
