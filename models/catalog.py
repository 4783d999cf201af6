"""The progress sheet as data: sheets, sub-initiatives, indicators and the event kinds they count.

DHIS2's separation holds here: an event *kind* is what a worker logs (a data element); an *indicator* is how
events of one kind are combined into a number on the sheet. Codes (`1-1` …, `outreach` …) are stable
identifiers used in the database, exports and machine-readable output. Source: docs/sheet-spec.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from models.roles import Organisation


class Requirement(StrEnum):
    NONE = "none"
    OPTIONAL = "optional"
    REQUIRED = "required"


class Aggregation(StrEnum):
    SUM = "sum"  # sum of counts
    DISTINCT_AREAS = "distinct_areas"  # areas with at least `threshold` events (roster-provided areas only)
    DISTINCT_HOUSEHOLDS = "distinct_households"  # (ward, household reference) pairs, each once a year
    SURVEY_YES_SHARE = "survey_yes_share"  # yes answers ÷ all answers


DISTINCT_AGGREGATIONS = (Aggregation.DISTINCT_AREAS, Aggregation.DISTINCT_HOUSEHOLDS)  # figures that count once


class Denominator(StrEnum):
    NONE = "none"
    ROSTER_AREAS = "roster_areas"  # active areas with a roster provided (全334地域 city-wide)
    SURVEY_ANSWERS = "survey_answers"  # agencies that answered the survey


@dataclass(frozen=True)
class EventKind:
    """What a worker logs: one happening, with the fields the counting rules need."""

    code: str
    sheet: int
    label_ja: str
    label_en: str
    area: Requirement = Requirement.NONE
    household: Requirement = Requirement.NONE
    takes_count: bool = False  # asked 1–999; otherwise every event counts 1
    count_unit_ja: str = "件"
    takes_answer: bool = False  # yes/no survey answer
    logged_by: tuple[Organisation, ...] = ()  # who usually logs it: their menus show it first

    @property
    def counts_people(self) -> bool:
        """Its count is a number of people (a roster's), not of happenings: asked and shown as such."""
        return self.count_unit_ja == "人"


@dataclass(frozen=True)
class Indicator:
    """A number on the sheet and how it is computed from events of one kind."""

    code: str
    sheet: int
    sub: str  # ア / イ / ウ, or 質的成果 for the survey share
    label: str  # as printed on the sheet
    short_label: str  # phone-sized, for chat replies
    kind: str
    aggregation: Aggregation
    denominator: Denominator = Denominator.NONE
    unit_ja: str = "件"
    shows_percent: bool = False  # the sheet prints （xx.x％） for this figure


@dataclass(frozen=True)
class SubInitiative:
    letter: str
    title: str
    description: tuple[str, ...]


@dataclass(frozen=True)
class Sheet:
    number: int
    goal: str  # 基本目標1 / 基本目標2 / 参加支援
    title: str
    sub_initiatives: tuple[SubInitiative, ...]
    note: str = ""  # the source line under the sheet
    activities_remark: str | None = None  # printed above the sheet's 取組内容 (the seed's 「※市区社協での取組」)


PLAN_PHILOSOPHY = "だれもが自分らしく安心して暮らし続けられる地域づくり"
PLAN_GOALS = ("1　気にかける・つながる・支え合う地域づくり", "２　だれでも・いつでも・なんでも言える相談支援体制づくり")
SHEET_TITLE = "【中核的な取組】　包括的な支援体制の整備にかかる推進状況確認シート"
FISCAL_YEARS_OF_PLAN = (2024, 2025, 2026)  # 第3期大阪市地域福祉基本計画

_WO, _WC, _HC = Organisation.WATCH_OFFICE, Organisation.WARD_COUNCIL, Organisation.HEALTH_CENTRE

# The catalog as a table: one entry per kind, its rules on the line below (the formatter would explode it).
EVENT_KINDS: tuple[EventKind, ...] = (
    EventKind("area_meeting", 1, "地域の見守り情報共有の集まり", "Area watch meeting",
              area=Requirement.REQUIRED, logged_by=(_WO,)),
    EventKind("concern_report", 1, "地域からの気になる方の情報", "Concern report from an area",
              area=Requirement.REQUIRED, logged_by=(_WO,)),
    EventKind("roster_provision", 1, "要援護者名簿の提供", "Roster provided to an area",
              area=Requirement.REQUIRED, takes_count=True, count_unit_ja="人", logged_by=(_WO,)),
    EventKind("watch_consultation", 1, "見守り相談室での相談対応", "Watch-office consultation",
              household=Requirement.OPTIONAL, takes_count=True, logged_by=(_WO,)),
    EventKind("outreach", 1, "アウトリーチ（訪問等）", "Outreach visit",
              household=Requirement.OPTIONAL, takes_count=True, logged_by=(_WO,)),
    EventKind("missing_alert_registration", 1, "行方不明時メール配信の事前登録", "Missing-person alert registration",
              takes_count=True, logged_by=(_WO,)),
    EventKind("complex_intake", 2, "複合的な課題の相談受付", "Complex-case intake",
              household=Requirement.OPTIONAL, takes_count=True, logged_by=(_HC,)),
    EventKind("tsunagaru_meeting", 2, "つながる場の開催", "Tsunagaru-ba meeting held",
              takes_count=True, logged_by=(_HC,)),
    EventKind("sv_dispatch", 2, "スーパーバイザー（SV）派遣", "Supervisor (SV) dispatch",
              takes_count=True, logged_by=(_HC,)),
    EventKind("training_session", 2, "研修会の開催", "Training session held",
              takes_count=True, logged_by=(_HC,)),
    EventKind("watch_office_link", 2, "見守り相談室との連携", "Link with the watch office",
              takes_count=True, logged_by=(_HC, _WO)),
    EventKind("agency_survey", 2, "相談機関アンケート回答", "Agency survey answer",
              takes_answer=True, logged_by=(_HC,)),
    EventKind("participation_link", 3, "参加支援につながった世帯", "Household connected (participation)",
              household=Requirement.REQUIRED, logged_by=(_WC, _WO)),
)  # fmt: skip

# One entry per indicator, as the sheet lists them (the formatter would set one argument a line).
INDICATORS: tuple[Indicator, ...] = (
    Indicator("1-1", 1, "ア",
              "①定期的に活動者が集まり、地域内の見守りについて情報共有や意見交換をしている地域数",
              "①見守り情報共有をしている地域数", "area_meeting",
              Aggregation.DISTINCT_AREAS, Denominator.ROSTER_AREAS, "地域"),
    Indicator("1-2", 1, "ア", "②地域の活動者から気になる方の情報が見守り相談室に寄せられた地域数（割合）",
              "②気になる方の情報が寄せられた地域数", "concern_report",
              Aggregation.DISTINCT_AREAS, Denominator.ROSTER_AREAS, "地域", shows_percent=True),
    Indicator("1-3", 1, "ア", "③地域へ提供を行った要援護者数", "③名簿提供した要援護者数",
              "roster_provision", Aggregation.SUM, unit_ja="人"),
    Indicator("1-4", 1, "イ", "④見守り相談室に寄せられた相談対応件数", "④相談対応件数",
              "watch_consultation", Aggregation.SUM),
    Indicator("1-5", 1, "イ", "⑤アウトリーチによる支援を行った件数", "⑤アウトリーチ件数",
              "outreach", Aggregation.SUM),
    Indicator("1-6", 1, "ウ",
              "⑥認知症高齢者等が行方不明になった場合に備え、事前にメール配信の登録を行った件数",
              "⑥行方不明時メール事前登録件数", "missing_alert_registration", Aggregation.SUM),
    Indicator("2-1", 2, "ア", "①相談受付件数", "①相談受付件数", "complex_intake", Aggregation.SUM),
    Indicator("2-2", 2, "ア", "②つながる場の開催件数", "②つながる場の開催件数",
              "tsunagaru_meeting", Aggregation.SUM),
    Indicator("2-3", 2, "イ", "③スーパーバイザー（SV）派遣件数", "③SV派遣件数", "sv_dispatch", Aggregation.SUM),
    Indicator("2-4", 2, "イ", "④研修会の開催件数", "④研修会の開催件数", "training_session", Aggregation.SUM),
    Indicator("2-5", 2, "ウ", "⑤見守り相談室と連携をおこなった件数", "⑤見守り相談室との連携件数",
              "watch_office_link", Aggregation.SUM),
    Indicator("2-Q", 2, "質的成果",
              "総合的な相談支援体制の充実事業への関わりにより、効果があったと感じる相談機関等の割合",
              "効果があったと感じる相談機関等の割合", "agency_survey",
              Aggregation.SURVEY_YES_SHARE, Denominator.SURVEY_ANSWERS, "％", shows_percent=True),
    Indicator("3-1", 3, "参加支援",
              "区社協の各部門で個別支援を通じた継続的な関わりからさまざまな場や活動への参加支援につながった"
              "対象世帯数（24区合計）",
              "参加支援につながった世帯数", "participation_link", Aggregation.DISTINCT_HOUSEHOLDS, unit_ja="世帯"),
)  # fmt: skip

# The sheets' texts as the seed prints them (the formatter would set one argument a line).
SHEETS: tuple[Sheet, ...] = (
    Sheet(1, "基本目標1", "地域における見守りネットワークの強化（第４章P61～64）", (
        SubInitiative("ア", "地域における見守り活動への支援", (
            "見守りの活動者が、自らの活動についてやりがいや手ごたえを感じながら活動を継続することができるよう支援します。"
            "また、地域住民への周知・啓発により活動の輪が広がり、さらなる担い手を育成できるよう取り組みます。",
            "普段からの取組が災害時への対応にもつながることから、日頃の見守り活動と、防災の取組との間の連携・共有等を進め、"
            "さらなる地域住民同士のネットワーク強化につなげます。")),
        SubInitiative("イ", "孤立世帯等への専門的対応", (
            "支援困難事例に対して適切かつ円滑な対応を行うことができるよう、各区の事例の検証やノウハウの共有、"
            "関係機関との合同研修会等の実施により、CSWのさらなるスキルアップと関係機関との連携強化を進めます。",)),
        SubInitiative("ウ", "認知症高齢者等の行方不明時の早期発見", (
            "認知症高齢者等の行方不明事案等の再発を防止するため、警察と連携して「見守り相談室」への事前登録や"
            "医療機関への受診勧奨を行うなどの取組を進めます。",)),
    ), "第3期大阪市地域福祉基本計画冊子P61より抜粋"),
    Sheet(2, "基本目標2", "複合的な課題を抱えた世帯への支援体制の充実（第４章P78～79）", (
        SubInitiative("ア", "総合的な支援調整の場（つながる場）の開催", (
            "分野ごとの相談支援機関、地域だけでは解決できない課題を抱えた世帯に対して、区保健福祉センターが調整役となって、"
            "適切にアセスメントを行い、複合的なニーズに対応するさまざまな支援をコーディネートするしくみの充実を図ります。",)),
        SubInitiative("イ", "専門家等（スーパーバイザー）による支援", (
            "複合的な課題を抱えた世帯に対し的確に支援を行っていくことができるよう、また、区保健福祉センターや相談支援機関等が"
            "スキルアップできるよう、スーパーバイザーによる助言や研修等ができるしくみを引き続き実施します。",)),
        SubInitiative("ウ", "地域における見守り活動との連携", (
            "複合的な課題を抱え、自ら助けを求めることができない人が、必要な支援を受けながら、地域で安心して暮らせるよう、"
            "地域における見守り活動との連携を進めます。",)),
    ), "第3期大阪市地域福祉基本計画冊子P80より抜粋"),
    Sheet(3, "参加支援", "「参加支援」とは　～社会とのつながりを作るための支援～（第2章P24抜粋）", (
        SubInitiative("", "参加支援（社会とのつながりを作るための支援）", (
            "だれもが地域でいきいきと暮らしていくためには、社会とつながり、自らが地域の一員であると感じられるような"
            "「居場所」や「持ち場（役割）」があることも重要。",
            "住民が主体となる「地域づくり」を進める上では地域の課題や「気にかかる人」、住民の興味や関心があることについて"
            "みんなで話し合い、多様な居場所や活動につないだり、時には新たな参加の場所を作ったりなど、"
            "ともに暮らし支えあえるよう工夫することが大切。",
            "相談支援の現場においても、相談や福祉サービス利用の中で見えてきた、一人ひとりの「できる」「好き」「やってみたい」"
            "といった気持ちに寄り添い、制度の枠にとらわれずその人に合わせた「居場所」や「持ち場」を考え、つなぐことが必要。",
            "このような積み重ねにより、「居場所」や「持ち場」のある人が地域に増え、かつて支援を受けた人が今度は別の課題を"
            "抱えた人を支援する役割を担う機会が生まれることで、支え・支えられる関係が循環し、人と人のつながりが継続していく。",
            "地域づくりにおいても、相談支援体制づくりにおいても、この視点をもって取り組むことが大切。")),
    ), "出典：厚生労働省ホームページ 地域共生社会 ポータルサイト", "※市区社協での取組"),
)  # fmt: skip


class SheetSection(StrEnum):
    """The bullet sections of every sheet (量的成果 is computed, not written)."""

    ACTIVITIES = "activities"  # 取組内容
    QUALITATIVE = "qualitative"  # 質的成果
    ISSUES = "issues"  # 課題と今後の方向性


SECTION_LABELS_JA: dict[SheetSection, str] = {
    SheetSection.ACTIVITIES: "取組内容",
    SheetSection.QUALITATIVE: "質的成果",
    SheetSection.ISSUES: "課題と今後の方向性",
}

KINDS_BY_CODE: dict[str, EventKind] = {kind.code: kind for kind in EVENT_KINDS}
INDICATORS_BY_CODE: dict[str, Indicator] = {indicator.code: indicator for indicator in INDICATORS}
INDICATOR_BY_KIND: dict[str, Indicator] = {indicator.kind: indicator for indicator in INDICATORS}
BASIC_GOAL_PREFIX = "基本目標"


def basic_goal(indicator: Indicator) -> int | None:
    """The 基本目標 (1 or 2) an indicator belongs to: both number theirs ①, ② …, so a list of indicators names it.

    None for 参加支援, a sheet of its own whose one indicator says so in its label.
    """
    goal = next(sheet.goal for sheet in SHEETS if sheet.number == indicator.sheet)
    return int(goal.removeprefix(BASIC_GOAL_PREFIX)) if goal.startswith(BASIC_GOAL_PREFIX) else None


def kind_label_ja(kind: str) -> str:
    """The kind's Japanese label, or the code itself for a kind this release no longer knows (old rows)."""
    known = KINDS_BY_CODE.get(kind)
    return known.label_ja if known else kind


def indicator_code_of(kind: str) -> str:
    """The indicator a kind counts towards, or "" (a kind that counts for none)."""
    indicator = INDICATOR_BY_KIND.get(kind)
    return indicator.code if indicator else ""


def counts_each_household_once(kind: str) -> bool:
    """Whether the kind's indicator counts households, each once a fiscal year (3-1)."""
    indicator = INDICATOR_BY_KIND.get(kind)
    return indicator is not None and indicator.aggregation is Aggregation.DISTINCT_HOUSEHOLDS


def kinds_for(organisation: Organisation) -> list[EventKind]:
    """All kinds, those the organisation usually logs first (then sheet order)."""
    return sorted(EVENT_KINDS, key=lambda kind: organisation not in kind.logged_by)
