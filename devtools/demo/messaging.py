"""Step 4 of the demo scenario (idempotent): one bilingual draft newsletter ready to preview."""

from campaigns.models import Campaign
from contacts.models import ContactList
from messaging.models import Message

from .contacts import LIST_NAME

SUBJECT_AR = "أخبار حملة التوعية: شكراً لكم"
BODY_AR = """# مرحبا {{ first_name }}

وزّع متطوعونا هذا الشهر آلاف المنشورات في الأحياء، ووقّع مئات السكان على العريضة. **شكراً لدعمكم.**

- شاركوا صفحة الحملة مع أصدقائكم.
- انضموا إلى لقاء المتطوعين القادم.

لإيقاف هذه الرسائل: [إلغاء الاشتراك]({{ unsubscribe_url }})
"""
SUBJECT_EN = "Awareness campaign news: thank you"
BODY_EN = """# Hello {{ first_name }}

This month our volunteers handed out thousands of flyers and hundreds of residents signed the petition.
**Thank you for your support.**

- Share the campaign page with your friends.
- Join the next volunteers' meeting.

To stop these emails: [unsubscribe]({{ unsubscribe_url }})
"""


def load(stdout):
    if Message.objects.filter(subject_ar=SUBJECT_AR).exists():
        stdout.write("messaging: demo newsletter already there")
        return
    message = Message.objects.create(
        campaign=Campaign.objects.filter(slug="awareness-flyers").first(),
        subject_ar=SUBJECT_AR,
        body_ar=BODY_AR,
        subject_en=SUBJECT_EN,
        body_en=BODY_EN,
    )
    contact_list = ContactList.objects.filter(name=LIST_NAME).first() or ContactList.objects.order_by("pk").first()
    if contact_list is not None:
        message.lists.add(contact_list)
    stdout.write(f"messaging: demo newsletter #{message.pk} (draft)")
