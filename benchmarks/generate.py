"""A deterministic generator of realistic data in kg's own ontology, for benchmarks.

Each *story* is one news article (``kg:NewsArticle`` with ``kg:fullText``) that
reports a bloc and a state signing a Security and Defence Partnership: the
parties, the two signatories with their offices and terms in office, the
signing with its two signatures, a summit with its participations and topics,
the areas the pact deepens, the dialogue it establishes, remarks, and now and
then a post on X. Every node carries a label and evidence: text spans
(``kg:TextSpan``) whose ``kg:start``/``kg:end`` are the code-point offsets of
``kg:exact`` in the article's text. States, blocs, officials and offices are
drawn from pools and reused across stories, gaining a span from every article
that names them, as the seeds' facts files merge nodes.

Stories are added until the target number of triples is reached; with
``violations`` > 0 about that fraction of the nodes is then broken in one of ten
ways, each breaking exactly one rule of ``ontology/shapes.ttl``, and
:attr:`Generated.expected` lists the validation results (focus node, path,
constraint) ``kg validate`` must report for them, in kg's short notation.

The same arguments always give the same bytes.

>>> data = generate(1000, seed=1)
>>> data.triples >= 1000, data.ntriples == generate(1000, seed=1).ntriples
(True, True)
>>> len(data.expected) > 0
True
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

KG = "https://w3id.org/kg/ontology#"
KGR = "https://w3id.org/kg/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"

SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1M": 1_000_000}

# Pools: real names of states and regions; officials get generated names.
STATES = [
    ("India", "Asia"),
    ("Japan", "Asia"),
    ("South Korea", "Asia"),
    ("Indonesia", "Asia"),
    ("Viet Nam", "Asia"),
    ("Philippines", "Asia"),
    ("Malaysia", "Asia"),
    ("Thailand", "Asia"),
    ("Singapore", "Asia"),
    ("Mongolia", "Asia"),
    ("Kazakhstan", "Asia"),
    ("Pakistan", "Asia"),
    ("Moldova", "Europe"),
    ("Norway", "Europe"),
    ("Albania", "Europe"),
    ("North Macedonia", "Europe"),
    ("Ukraine", "Europe"),
    ("Iceland", "Europe"),
    ("Montenegro", "Europe"),
    ("Serbia", "Europe"),
    ("Canada", "North America"),
    ("Mexico", "North America"),
    ("Brazil", "South America"),
    ("Chile", "South America"),
    ("Colombia", "South America"),
    ("Argentina", "South America"),
    ("Australia", "Oceania"),
    ("New Zealand", "Oceania"),
    ("Papua New Guinea", "Oceania"),
    ("Ghana", "Africa"),
    ("Kenya", "Africa"),
    ("Nigeria", "Africa"),
    ("Senegal", "Africa"),
    ("Morocco", "Africa"),
    ("Egypt", "Africa"),
    ("Côte d’Ivoire", "Africa"),
    ("Jordan", "Middle East"),
    ("Oman", "Middle East"),
    ("Qatar", "Middle East"),
]
BLOCS = [
    ("European Union", "EU"),
    ("African Union", "AU"),
    ("Association of Southeast Asian Nations", "ASEAN"),
    ("Gulf Cooperation Council", "GCC"),
]
AGENCIES = ["Asian News International", "Agence Europe", "Pan-African Wire", "Gulf News Service"]
FIRST = [
    "Kaja",
    "Rajnath",
    "Amara",
    "Sebastián",
    "Lena",
    "Tomás",
    "Aiko",
    "Min-jun",
    "Chloé",
    "Oluwaseun",
    "Ingrid",
    "Dilnoza",
    "Mateus",
    "Nkechi",
    "Søren",
    "Zeynep",
    "Priya",
    "Hamid",
]
LAST = [
    "Kallas",
    "Singh",
    "Okafor",
    "Müller",
    "Lévesque",
    "Tanaka",
    "Kim",
    "Haddad",
    "Novák",
    "Andersen",
    "Rahimova",
    "Souza",
    "Mensah",
    "Yılmaz",
    "Iyer",
    "Nguyễn",
    "Petrović",
    "Ortega",
]
AREAS = [
    "maritime security",
    "cyber security",
    "counter-terrorism",
    "crisis management",
    "defence industry",
    "space security",
    "hybrid threats",
    "non-proliferation",
    "military mobility",
    "disarmament",
    "peacekeeping",
    "export controls",
]
TOPICS = [
    "trade and economic cooperation",
    "connectivity and infrastructure",
    "clean energy and climate action",
    "digital and emerging technologies",
    "security and global affairs",
    "mobility and skills",
    "research and innovation",
    "supply chain resilience",
]


def iri(local: str) -> str:
    return KGR + local


def slug(text: str) -> str:
    out = "".join(c.lower() if c.isascii() and c.isalnum() else "-" for c in text)
    return "-".join(part for part in out.split("-") if part)


def literal(text: str, datatype: str | None = None) -> str:
    """An N-Triples literal (``datatype`` None: a plain xsd:string)."""
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"' + (f"^^<{datatype}>" if datatype else "")


def ref(value: str) -> str:
    return f"<{value}>"


@dataclass(frozen=True)
class Expected:
    """A validation result a seeded violation must produce, as ``kg validate`` prints it."""

    focus_node: str
    path: str
    constraint: str
    kind: str


@dataclass
class Generated:
    """Generated N-Triples and what validating them must report."""

    ntriples: str
    triples: int
    stories: int
    expected: list[Expected] = field(default_factory=list)

    def write(self, path: Path | str) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.ntriples, encoding="utf-8")
        return path


class _Writer:
    """Collects triples (subject, predicate, object as N-Triples terms) in order."""

    def __init__(self) -> None:
        self.triples: list[list[str]] = []
        self.index: dict[tuple[str, str], list[int]] = {}
        self.defined: set[str] = set()

    def add(self, s: str, p: str, o: str) -> None:
        self.index.setdefault((s, p), []).append(len(self.triples))
        self.triples.append([ref(s), ref(p), o])

    def node(self, node: str, classes: list[str], label: str) -> None:
        self.defined.add(node)
        for cls in classes:
            self.add(node, RDF_TYPE, ref(cls))
        self.add(node, RDFS_LABEL, literal(label))


class _Story:
    """One article's text, built sentence by sentence, with spans at known offsets."""

    def __init__(self, writer: _Writer, doc: str) -> None:
        self.writer = writer
        self.doc = doc
        self.parts: list[str] = []
        self.length = 0
        self.spans: list[str] = []

    def text(self, fragment: str) -> None:
        self.parts.append(fragment)
        self.length += len(fragment)

    def quote(self, fragment: str) -> str:
        """Append ``fragment`` and record a span for it; returns the span IRI."""
        start = self.length
        self.text(fragment)
        span = iri(f"span.{self.doc}.{start}-{self.length}")
        if span not in self.writer.defined:
            self.writer.defined.add(span)
            w = self.writer
            w.add(span, RDF_TYPE, ref(KG + "TextSpan"))
            w.add(span, KG + "inDocument", ref(iri(self.doc)))
            w.add(span, KG + "exact", literal(fragment))
            w.add(span, KG + "start", literal(str(start), XSD + "integer"))
            w.add(span, KG + "end", literal(str(self.length), XSD + "integer"))
            self.spans.append(span)
        return span

    def full_text(self) -> str:
        return "".join(self.parts)


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.w = _Writer()
        self.nodes: list[tuple[str, str]] = []  # (node, kind) that may be broken later
        self.frameworks: dict[str, str] = {}  # bloc → last partnership, for concludedBefore

    # -- shared nodes, defined on first mention, then only given more evidence --
    def evidence(self, node: str, span: str, implied: bool = False) -> None:
        self.w.add(node, KG + ("impliedBy" if implied else "statedIn"), ref(span))

    def ensure(self, node: str, classes: list[str], label: str, story: _Story, mention: str):
        span = story.quote(mention)
        first = node not in self.w.defined
        if first:
            self.w.node(node, classes, label)
        self.evidence(node, span)
        return first

    def scheme(self, story: _Story, node: str, label: str, mention: str) -> None:
        self.ensure(node, [SKOS + "ConceptScheme"], label, story, mention)

    def concept(self, story: _Story, cls: str, scheme: str, name: str) -> str:
        node = iri(f"{slug(scheme)}-{slug(name)}")
        if self.ensure(node, [KG + cls], name[0].upper() + name[1:], story, name):
            self.w.add(node, SKOS + "inScheme", ref(iri(scheme)))
            self.w.add(node, SKOS + "prefLabel", literal(name))
        return node

    def person(self, story: _Story, number: int) -> tuple[str, str]:
        name = f"{FIRST[number % len(FIRST)]} {LAST[(number * 7 + 3) % len(LAST)]}"
        node = iri(f"official-{number}-{slug(name)}")
        self.ensure(node, [KG + "Official"], name, story, name)
        return node, name

    def office(self, story: _Story, title: str, org: str, org_label: str) -> str:
        node = iri(f"office-{slug(title)}-{slug(org_label)}")
        if self.ensure(node, [KG + "Office"], f"{title} of {org_label}", story, title):
            self.w.add(node, ORG + "postIn", ref(org))
            self.nodes.append((node, "office"))
        return node

    def term(self, story: _Story, person: str, office: str, label: str) -> str:
        node = f"{person}-term-{office.rsplit('/', 1)[1]}"
        if node not in self.w.defined:
            self.w.node(node, [KG + "TermInOffice"], label)
            self.w.add(node, KG + "officeHolder", ref(person))
            self.w.add(node, KG + "office", ref(office))
            self.nodes.append((node, "term"))
        self.evidence(node, story.spans[-1])
        return node

    # -- one story --
    def story(self, k: int) -> None:
        rng, w = self.rng, self.w
        s_name, region = STATES[rng.randrange(len(STATES))]
        b_name, b_short = BLOCS[k % len(BLOCS)]
        agency = AGENCIES[k % len(AGENCIES)]
        day = 1 + k % 28
        month = 1 + (k // 28) % 12
        year = 2020 + (k // 336) % 7
        date = f"{year:04d}-{month:02d}-{day:02d}"
        doc = f"article-{k}-{slug(s_name)}-{slug(b_short)}"
        st = _Story(w, doc)
        d = iri(doc)

        st.text("\n")
        dateline = f"Brussels [Belgium], {date} ({agency})"
        w.node(d, [KG + "NewsArticle"], f"{b_short}, {s_name} sign partnership ({agency}, {date})")
        self.evidence(d, st.quote(dateline))
        st.text(": As ")
        state, bloc = iri(slug(s_name)), iri(slug(b_name))
        if self.ensure(state, [KG + "State"], s_name, st, s_name):
            place = iri(slug(region))
            self.w.add(state, KG + "inRegion", ref(place))
            if place not in w.defined:
                w.node(place, [SCHEMA + "Place"], region)
                self.evidence(place, st.spans[-1], implied=True)
            self.nodes.append((state, "state"))
        st.text(" and the ")
        if self.ensure(bloc, [KG + "Bloc"], b_name, st, b_short):
            self.nodes.append((bloc, "bloc"))
        st.text(" signed the security and defence partnership, ")
        hr_number = k % 5 + 100 * (k % len(BLOCS))
        hr, hr_name = self.person(st, hr_number)
        hr_office = self.office(st, "High Representative", bloc, b_short)
        self.term(st, hr, hr_office, f"{hr_name} as High Representative of {b_short}")
        st.text(" said the pact opens a new chapter. ")
        state_idx = STATES.index((s_name, region))
        min_number = 1000 + state_idx * 3 + k % 3
        mn, mn_name = self.person(st, min_number)
        st.text(", the ")
        mn_office = self.office(st, "Defence Minister", state, s_name)
        self.term(st, mn, mn_office, f"{mn_name} as Defence Minister of {s_name}")
        st.text(f" of {s_name}, signed for his country. ")

        agency_node = iri(slug(agency))
        if agency_node not in w.defined:
            w.node(agency_node, [KG + "NewsAgency"], agency)
        self.evidence(agency_node, st.quote(agency))
        w.add(d, DCTERMS + "issued", literal(date, XSD + "date"))
        w.add(d, DCTERMS + "publisher", ref(agency_node))
        w.add(d, SCHEMA + "dateline", literal(dateline))
        w.add(d, KG + "fileName", literal(f"{doc}.txt"))
        st.text(" reported the signing. ")

        # The partnership, its areas and dialogue.
        sdp = iri(f"sdp-{k}-{slug(b_short)}-{slug(s_name)}")
        label = f"{b_short}–{s_name} Security and Defence Partnership ({k})"
        w.node(sdp, [KG + "SecurityDefencePartnership"], label)
        self.evidence(sdp, st.quote(f"{b_short}–{s_name} Security and Defence Partnership"))
        w.add(sdp, KG + "party", ref(bloc))
        w.add(sdp, KG + "party", ref(state))
        programme = iri(f"{slug(b_short)}-security-defence-partnerships")
        if programme not in w.defined:
            w.node(programme, [KG + "PartnershipProgramme"], f"{b_short} partnerships")
            self.evidence(programme, st.spans[-1], implied=True)
            w.add(programme, KG + "signedForEUBy", ref(hr_office))
            w.add(programme, KG + "signedOnBehalfOf", ref(bloc))
        w.add(sdp, KG + "partOfFramework", ref(programme))
        # Order within runs of 8 partnerships per bloc (transitive: longer runs grow
        # the closure quadratically, which news reporting does not do).
        if bloc in self.frameworks and (k // len(BLOCS)) % 8:
            w.add(self.frameworks[bloc], KG + "concludedBefore", ref(sdp))
        self.frameworks[bloc] = sdp
        self.nodes.append((sdp, "partnership"))
        st.text(" deepens cooperation on ")
        scheme = "cooperation-areas"
        if iri(scheme) not in w.defined:
            self.scheme(st, iri(scheme), "Cooperation areas", "areas of cooperation")
            st.text(", namely ")
        for i, area in enumerate(rng.sample(AREAS, 3)):
            st.text(", " if i else "")
            w.add(
                sdp,
                KG + "deepensCooperationOn",
                ref(self.concept(st, "CooperationArea", scheme, area)),
            )
        st.text(". It establishes an ")
        dialogue = iri(f"dialogue-{k}")
        w.node(dialogue, [KG + "DialogueMechanism"], f"{b_short}–{s_name} security dialogue ({k})")
        self.evidence(dialogue, st.quote("annual security and defence dialogue"))
        w.add(dialogue, KG + "frequency", literal("annual"))
        w.add(sdp, KG + "establishes", ref(dialogue))
        st.text(". ")

        # The signing, as this article reports it.
        signing = iri(f"signing-{k}")
        w.node(signing, [KG + "Signing"], f"Signing of the {label}, as {agency} reported it")
        self.evidence(signing, st.quote(f"signed on {date}"))
        w.add(signing, KG + "agreement", ref(sdp))
        w.add(signing, KG + "signingDate", literal(date, XSD + "date"))
        w.add(signing, KG + "accordingTo", ref(d))
        self.nodes.append((signing, "signing"))
        for n, (who, office, party) in enumerate(((hr, hr_office, bloc), (mn, mn_office, state))):
            sig = iri(f"signing-{k}-signature-{n + 1}")
            w.node(sig, [KG + "Signature"], f"Signature {n + 1} of signing {k}")
            self.evidence(sig, st.spans[-1])
            w.add(sig, KG + "signatory", ref(who))
            w.add(sig, KG + "inOffice", ref(office))
            w.add(sig, KG + "onBehalfOf", ref(party))
            w.add(signing, KG + "signature", ref(sig))
            self.nodes.append((sig, "signature"))
        st.text(". The leaders met at the ")

        # The summit, its participations and topics.
        summit = iri(f"summit-{k}")
        w.node(summit, [KG + "Summit"], f"{b_short}–{s_name} Summit ({k})")
        self.evidence(summit, st.quote(f"{b_short}–{s_name} Summit"))
        w.add(summit, KG + "ordinal", literal(str(1 + k % 20), XSD + "integer"))
        for n, (who, office, party) in enumerate(((hr, hr_office, bloc), (mn, mn_office, state))):
            part = iri(f"summit-{k}-participation-{n + 1}")
            w.node(part, [KG + "Participation"], f"Participation {n + 1} in summit {k}")
            self.evidence(part, st.spans[-1])
            w.add(part, KG + "participant", ref(who))
            w.add(part, KG + "inOffice", ref(office))
            w.add(part, KG + "representing", ref(party))
            w.add(summit, KG + "hasParticipation", ref(part))
        st.text(", where discussions focused on ")
        tscheme = "summit-topics"
        if iri(tscheme) not in w.defined:
            self.scheme(st, iri(tscheme), "Summit topics", "the topics of summits")
            st.text(": ")
        for i, topic in enumerate(rng.sample(TOPICS, 2)):
            st.text(" and " if i else "")
            w.add(
                summit, KG + "discussedTopic", ref(self.concept(st, "SummitTopic", tscheme, topic))
            )
        st.text(". ")

        # Remarks: the High Representative's words, the minister's reported speech.
        for n, (who, words, reported) in enumerate(
            (
                (hr, "This partnership makes both of us safer.", False),
                (mn, "the pact would strengthen regional stability", True),
            )
        ):
            remark = iri(f"remark-{k}-{n + 1}")
            w.node(remark, [KG + "Remark"], f"Remark {n + 1} in article {k}")
            st.text(" “" if not reported else " He said ")
            self.evidence(remark, st.quote(words))
            st.text("”" if not reported else ".")
            w.add(remark, KG + "speaker", ref(who))
            w.add(remark, KG + "content", literal(words))
            w.add(remark, KG + "reportedSpeech", literal(str(reported).lower(), XSD + "boolean"))
            w.add(remark, KG + "madeIn", ref(d))
            w.add(remark, KG + "remarkDate", literal(date, XSD + "date"))
            w.add(remark, KG + "about", ref(sdp))
            self.nodes.append((remark, "remark"))

        # Every third story: the High Representative's post on X, quoted.
        if k % 3 == 0:
            post = iri(f"post-{k}")
            handle = f"@hr_{slug(b_short)}_{k % 1000}"
            st.text(" In a post on X, ")
            w.node(post, [KG + "SocialMediaPost"], f"Post on X by {hr_name} ({date})")
            self.evidence(post, st.quote(handle))
            st.text(" wrote that the day was historic.")
            w.add(post, SCHEMA + "author", ref(hr))
            w.add(post, DCTERMS + "issued", literal(date, XSD + "date"))
            w.add(post, KG + "xHandle", literal(handle))
            w.add(post, KG + "quotedIn", ref(d))
        st.text("\n")
        text = st.full_text()
        w.add(d, KG + "fullText", literal(text))
        w.add(d, KG + "sha256", literal(hashlib.sha256(text.encode("utf-8")).hexdigest()))
        self.nodes.append((st.spans[1], "span"))

    # -- seeded violations --
    def _set(self, s: str, p: str, o: str) -> None:
        for i in self.w.index.get((s, p), []):
            self.w.triples[i][2] = o

    def _drop(self, s: str, p: str) -> None:
        for i in self.w.index.get((s, p), []):
            self.w.triples[i] = []

    def break_node(self, node: str, kind: str, n: int) -> list[Expected]:
        """Break ``node`` so that exactly the returned results are reported."""
        w, short = self.w, "kgr:" + node[len(KGR) :]

        def exp(path: str, constraint: str, what: str) -> list[Expected]:
            return [Expected(short, path, "sh:" + constraint + "ConstraintComponent", what)]

        if kind == "signature":
            self._drop(node, KG + "signatory")
            return exp("kg:signatory", "MinCount", "signature without signatory")
        if kind == "span":
            (i,) = w.index[(node, KG + "exact")]
            old = w.triples[i][2]
            w.triples[i][2] = old[:-1] + "X" + old[-1] if old.endswith('"') else old
            return exp("kg:exact", "SPARQL", "quote does not match the text")
        if kind == "partnership":
            w.add(node, KG + "adoptedOn", literal("March 2022"))
            return exp("kg:adoptedOn", "Or", "adoption date not a date")
        if kind == "signing":
            (i,) = w.index[(node, KG + "signingDate")]
            w.triples[i][2] = literal("2099-12-31", XSD + "date")
            return exp("kg:signingDate", "SPARQL", "signed after its source")
        if kind == "office":
            w.add(node, KG + "xHandle", literal("@an_office"))
            return exp("kg:xHandle", "MaxCount", "office with a handle")
        if kind == "state":
            w.add(node, SKOS + "exactMatch", ref("https://www.wikidata.org/wiki/Q668"))
            return exp("skos:exactMatch", "Pattern", "Wikidata link not an entity IRI")
        if kind == "term":
            w.add(node, KG + "party", ref(iri("european-union")))
            # kg:party's domain would make the term a framework, a class it does not state
            what = "term in office with a stray property"
            return exp("kg:party", "Closed", what) + exp("", "Class", what)
        if kind == "remark":
            if n % 2:
                self._drop(node, RDFS_LABEL)
                return exp("rdfs:label", "MinCount", "node without label")
            w.add(node, KG + "madeIn", ref(iri("european-union")))
            # kg:madeIn's range would make the bloc a source document (one result for it)
            typed = Expected(
                "kgr:european-union", "", "sh:ClassConstraintComponent", "remark made in a state"
            )
            return (
                exp("kg:madeIn", "MaxCount", "remark made in two documents")
                + exp("kg:madeIn", "Class", "remark made in a state")
                + [typed]
            )
        return []


def parse_size(text: str) -> int:
    """``"10k"`` → 10000, ``"1M"`` → 1000000, ``"2500"`` → 2500.

    >>> parse_size("100k"), parse_size("1M"), parse_size("750")
    (100000, 1000000, 750)
    """
    if text in SIZES:
        return SIZES[text]
    scale = {"k": 1_000, "K": 1_000, "M": 1_000_000}
    if text and text[-1] in scale:
        return int(float(text[:-1]) * scale[text[-1]])
    return int(text)


def generate(triples: int, *, seed: int = 0, violations: float = 0.01) -> Generated:
    """Stories until at least ``triples`` triples, then ``violations`` of the nodes broken."""
    gen = _Generator(seed)
    k = 0
    while len(gen.w.triples) < triples:
        gen.story(k)
        k += 1
    expected: list[Expected] = []
    if violations > 0:
        breakable = [(node, kind) for node, kind in gen.nodes if kind != "bloc"]
        count = max(1, round(violations * len(breakable)))
        picker = random.Random(seed + 1)
        chosen = sorted(picker.sample(range(len(breakable)), min(count, len(breakable))))
        for n, index in enumerate(chosen):
            node, kind = breakable[index]
            expected += gen.break_node(node, kind, n)
    lines = [" ".join(t) + " .\n" for t in gen.w.triples if t]
    expected = list(dict.fromkeys(expected))  # one result per node and shape
    expected.sort(key=lambda e: (e.focus_node, e.path, e.constraint))
    return Generated("".join(lines), len(lines), k, expected)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.generate", description="Generate benchmark data (N-Triples)."
    )
    parser.add_argument("size", help="triples: 1k, 10k, 100k, 1M or a number")
    parser.add_argument("-o", "--output", default="-", help="file to write (stdout by default)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--violations", type=float, default=0.01, help="fraction of nodes broken")
    args = parser.parse_args(argv)
    data = generate(parse_size(args.size), seed=args.seed, violations=args.violations)
    if args.output == "-":
        sys.stdout.write(data.ntriples)
    else:
        data.write(args.output)
    print(
        f"{data.triples} triples, {data.stories} stories, {len(data.expected)} seeded violations",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
