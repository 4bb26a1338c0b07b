"""Step 1 of the demo scenario, the history: Kesh Malek's own account of its work, as campaigns and actions.

Written from the organisation's "who we are" text and nothing else. That text
gives few dates ("late 2011", "the beginning of 2013"), so every other date here
is a placeholder marked approximate (the page shows it with ≈); organizers
correct them from their own records. Loading is idempotent: a campaign whose
slug exists is left as it is (with any edits made since).
"""

import datetime

from django.db import transaction
from django.utils import timezone

from campaigns.models import Action, Campaign

ALEPPO = "حلب"
GAZIANTEP = "غازي عنتاب"
BUSTAN_AL_QASR = "بستان القصر"

D = datetime.date
K = Campaign.Kind
A = Action.Kind
S = Campaign.Status

HISTORY = [
    {
        "slug": "founding-2011",
        "kind": K.OTHER,
        "start_date": D(2011, 12, 1),
        "title_ar": "تأسيس «كش ملك» في حلب",
        "title_en": "Founding of “Kesh Malek” in Aleppo",
        "summary_ar": "تأسست «كش ملك» أواخر عام 2011 منظمةً غير ربحية من منظمات المجتمع المدني، "
        "جزءًا من الحراك الثوري في حلب، وتتركز أنشطتها في محافظة حلب شمال سوريا.",
        "summary_en": "Founded in late 2011 as a non-profit civil society organization, part of the "
        "revolutionary movement in Aleppo, with its activities focused in Aleppo province in the north of Syria.",
        "actions": [
            {
                "kind": A.MEETING,
                "date": D(2011, 12, 1),
                "description_ar": "تأسيس المنظمة جزءًا من الحراك الثوري في حلب، خدمةً لأهداف الثورة في الحرية والكرامة.",
                "description_en": "The organization is established as a part of the revolutionary movement in Aleppo, "
                "serving the goals of the revolution in freedom and dignity.",
            }
        ],
    },
    {
        "slug": "aleppo-demonstrations",
        "kind": K.DEMONSTRATION,
        "start_date": D(2011, 12, 1),
        "title_ar": "الدعوة إلى التظاهر وحشد الناس في حلب",
        "title_en": "Calling and mobilizing people to demonstrate in Aleppo",
        "summary_ar": "ركزت أنشطة المنظمة في مراحلها الأولى على دعوة الناس وحشدهم للتظاهر، خدمةً لأهداف الثورة "
        "في الحرية والكرامة.",
        "summary_en": "In its early stages the organization focused on calling and mobilizing people to "
        "demonstrate, serving the goals of the revolution in freedom and dignity.",
        "actions": [
            {
                "kind": A.DEMONSTRATION,
                "date": D(2011, 12, 1),
                "description_ar": "دعوة الناس وحشدهم للتظاهر في حلب.",
                "description_en": "Calling and mobilizing people to demonstrate in Aleppo.",
            },
            {
                "kind": A.DEMONSTRATION,
                "date": D(2012, 6, 1),
                "neighbourhood": BUSTAN_AL_QASR,
                "description_ar": "قصفٌ استهدف مظاهرةً في حي بستان القصر، استشهد فيه مصطفى كرمان، أحد مؤسسي المنظمة.",
                "description_en": "Shelling targeted a demonstration in Bustan Al Qasr neighbourhood; "
                "Mustafa Karman, one of the organization's co-founders, was killed.",
            },
        ],
    },
    {
        "slug": "awareness-flyers",
        "kind": K.AWARENESS,
        "start_date": D(2011, 12, 1),
        "title_ar": "توزيع المنشورات التوعوية والتعبوية",
        "title_en": "Distributing awareness and mobilizing flyers",
        "summary_ar": "توزيع منشورات توعوية وتعبوية في المراحل الأولى من الثورة، خدمةً لأهدافها في الحرية والكرامة.",
        "summary_en": "Distributing awareness and mobilizing flyers in the early stages, serving the goals of the "
        "revolution in freedom and dignity.",
        "actions": [
            {
                "kind": A.FLYER_DROP,
                "date": D(2012, 1, 1),
                "description_ar": "توزيع منشورات توعوية وتعبوية في حلب.",
                "description_en": "Distributing awareness and mobilizing flyers in Aleppo.",
            }
        ],
    },
    {
        "slug": "advocacy-campaigns",
        "kind": K.ADVOCACY,
        "start_date": D(2012, 3, 1),
        "title_ar": "حملات مناصرة سياسية وثورية",
        "title_en": "Political and revolutionary advocacy campaigns",
        "summary_ar": "تنظيم حملات مناصرة ذات توجه سياسي وثوري بحسب مستجدات الأحداث.",
        "summary_en": "Organizing politically and revolutionary oriented advocacy campaigns according to the "
        "current developments.",
        "actions": [
            {
                "kind": A.OTHER,
                "date": D(2012, 3, 1),
                "description_ar": "حملة مناصرة بحسب مستجدات الأحداث.",
                "description_en": "An advocacy campaign responding to the current developments.",
            }
        ],
    },
    {
        "slug": "clean-up-liberated-aleppo",
        "kind": K.CLEANUP,
        "start_date": D(2012, 9, 1),
        "title_ar": "حملات النظافة في المناطق المحررة من حلب",
        "title_en": "Clean-up campaigns in the liberated areas of Aleppo",
        "summary_ar": "بعد تحرير المناطق الشرقية من مدينة حلب نقلت المنظمة أنشطتها إليها، ونظمت مع المجتمع المدني "
        "مجموعة من الأنشطة استهدفت الأطفال خصوصًا، وبدأت بتنظيم حملات النظافة لسد الفراغ الذي خلّفه انسحاب "
        "مؤسسات الدولة ومواجهة تدهور الأوضاع المعيشية.",
        "summary_en": "After the liberation of the eastern areas of Aleppo city the organization moved its "
        "activities there, organized a cluster of activities with the civil society, particularly targeting "
        "children, and began organizing clean-up campaigns to fill the gap left by the withdrawal of the state "
        "institutions and address the deteriorating situation of livelihood.",
        "actions": [
            {
                "kind": A.CLEANUP,
                "date": D(2012, 9, 1),
                "description_ar": "حملة نظافة في المناطق المحررة من حلب بمشاركة المجتمع المدني.",
                "description_en": "A clean-up campaign in the liberated areas of Aleppo, with the civil society.",
            },
            {
                "kind": A.OTHER,
                "date": D(2012, 10, 1),
                "description_ar": "أنشطة مع المجتمع المدني تستهدف الأطفال خصوصًا.",
                "description_en": "Activities with the civil society, particularly targeting children.",
            },
        ],
    },
    {
        "slug": "school-mustafa-karman",
        "kind": K.EDUCATION,
        "start_date": D(2012, 11, 1),
        "title_ar": "مدرسة الشهيد مصطفى كرمان",
        "title_en": "The school of martyr Mustafa Karman",
        "summary_ar": "افتتحت المنظمة مدرسة الشهيد مصطفى كرمان، أحد مؤسسيها، الذي استشهد في القصف الذي استهدف "
        "مظاهرةً في حي بستان القصر. كانت المدرسة من أوائل المؤسسات التعليمية التي نشأت في المناطق المحررة "
        "الخارجة عن سيطرة النظام.",
        "summary_en": "The organization opened the school of martyr Mustafa Karman, one of its co-founders, who "
        "was killed by the shelling that targeted a demonstration in Bustan Al Qasr neighbourhood. It was one of "
        "the first educational institutions to emerge in the liberated areas out of regime control.",
        "actions": [
            {
                "kind": A.SCHOOL_OPENING,
                "date": D(2012, 11, 1),
                "description_ar": "افتتاح مدرسة الشهيد مصطفى كرمان في المناطق المحررة من حلب.",
                "description_en": "Opening of the school of martyr Mustafa Karman in the liberated areas of Aleppo.",
                "outcome": "من أوائل المؤسسات التعليمية التي نشأت في المناطق المحررة الخارجة عن سيطرة النظام.",
            }
        ],
    },
    {
        "slug": "gaziantep-office-2013",
        "kind": K.OTHER,
        "start_date": D(2013, 1, 1),
        "city": GAZIANTEP,
        "title_ar": "مقر غازي عنتاب والترخيص",
        "title_en": "Gaziantep headquarters and licence",
        "summary_ar": "في بداية عام 2013 افتتحت «كش ملك» مقرها في غازي عنتاب في تركيا، وحصلت على ترخيص منظمةً "
        "سورية من منظمات المجتمع المدني، وكانت خطوة مهمة نحو مأسسة عملها وتنظيمه وتوسيعه.",
        "summary_en": "In the beginning of 2013 “Kesh Malek” opened its headquarters in Gaziantep, Turkey, and "
        "obtained a license as a Syrian CSO: an important step towards institutionalizing, organizing and "
        "expanding its operation.",
        "actions": [
            {
                "kind": A.OTHER,
                "date": D(2013, 1, 1),
                "city": GAZIANTEP,
                "description_ar": "افتتاح المقر في غازي عنتاب والحصول على الترخيص "
                "منظمةً سورية من منظمات المجتمع المدني.",
                "description_en": "Opening of the headquarters in Gaziantep and licence as a Syrian CSO.",
            }
        ],
    },
]

# The current campaign with a public page; the flyers step attaches its flyer to it, and tests
# import this name: the slug is spelled here only.
DEMO_SLUG = "clean-aleppo-2026"


def current_campaign(today):
    return {
        "slug": DEMO_SLUG,
        "kind": K.CLEANUP,
        "status": S.ACTIVE,
        "approximate": False,
        "is_public": True,
        "start_date": today - datetime.timedelta(days=14),
        "end_date": today + datetime.timedelta(days=60),
        "title_ar": "حيّنا نظيف",
        "title_en": "Our neighbourhood is clean",
        "summary_ar": "حملة نظافة يشارك فيها أهل الحي: نجمع النفايات معًا ونعتني بالأماكن العامة والمدارس.",
        "summary_en": "A clean-up campaign run by the neighbourhood's own people: we collect rubbish together and "
        "look after public spaces and schools.",
        "goal_participants": 200,
        "goal_flyers": 1000,
        "goal_signups": 150,
        "goal_messages": 500,
        "actions": [
            {
                "kind": A.MEETING,
                "date": today - datetime.timedelta(days=10),
                "description_ar": "اجتماع تحضيري لفريق الحملة.",
                "description_en": "Preparation meeting of the campaign team.",
                "participants": 12,
                "approximate": False,
            },
            {
                "kind": A.CLEANUP,
                "date": today - datetime.timedelta(days=3),
                "description_ar": "يوم النظافة الأول في الحي.",
                "description_en": "First clean-up day in the neighbourhood.",
                "participants": 45,
                "outcome": "تنظيف شارعين وباحة المدرسة.",
                "is_public": True,
                "approximate": False,
            },
            {
                "kind": A.CLEANUP,
                "date": today + datetime.timedelta(days=11),
                "description_ar": "يوم النظافة الثاني: الحديقة العامة والمدرسة. انضموا إلينا!",
                "description_en": "Second clean-up day: the public garden and the school. Join us!",
                "is_public": True,
                "approximate": False,
            },
            {
                # Internal: where the team meets stays off the public page.
                "kind": A.MEETING,
                "date": today + datetime.timedelta(days=9),
                "description_ar": "لقاء الفريق لتوزيع المهام (مكان اللقاء عند المنسق).",
                "description_en": "Team meeting to share out tasks (meeting point with the coordinator).",
                "approximate": False,
            },
        ],
    }


def _load_campaign(data):
    data = dict(data)
    actions = data.pop("actions")
    approximate = data.pop("approximate", True)
    defaults = {
        "city": ALEPPO,
        "status": S.COMPLETED,
        "dates_approximate": approximate,
        "is_demo": True,
        **data,
    }
    slug = defaults.pop("slug")
    campaign, created = Campaign.objects.get_or_create(slug=slug, defaults=defaults)
    if not created:
        return False
    for action in actions:
        action = dict(action)
        Action.objects.create(
            campaign=campaign,
            city=action.pop("city", campaign.city),
            date_approximate=action.pop("approximate", approximate),
            **action,
        )
    return True


def load(stdout):
    with transaction.atomic():
        loaded = sum(_load_campaign(c) for c in [*HISTORY, current_campaign(timezone.localdate())])
    stdout.write(f"campaigns: {loaded} demo campaigns loaded ({len(HISTORY) + 1 - loaded} already present)")
