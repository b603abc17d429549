"""The demo's engagement scene: an official asks the households of Tổ 13 a short question
(/consult), two residents vote and /consult_status shows the turnout; then a safety check-in
(/checkin), one household is safe, another needs help, and /checkin_status shows the board."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from models import Household, Resident, ResidentialGroup, utcnow

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
HCM_GROUP = "Tổ 13"


async def _second_resident(factory: Any, neighbour: int) -> None:
    """A neighbour of the first resident, registered in another household of Tổ 13."""
    async with factory() as session:
        taken = set(await session.scalars(select(Resident.household_id)))
        house = (
            await session.scalars(
                select(Household)
                .join(ResidentialGroup, ResidentialGroup.id == Household.group_id)
                .where(ResidentialGroup.name == HCM_GROUP, Household.id.not_in(taken))
                .order_by(Household.id)
            )
        ).first()
        assert house is not None
        session.add(Resident(telegram_id=neighbour, display_name="ông Bình",
                             household_id=house.id, consent_at=utcnow()))  # fmt: skip
        await session.commit()


def _id(message: dict[str, Any]) -> str:
    """The consultation's or check-in's number, from its first button ("cv:7:0", "ci:3:0")."""
    return str(message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]).split(":")[1]


async def _press(scene: Any, who: int, message: dict[str, Any], label: str) -> None:
    await scene.press(who, message, label, answer_only=True)
    scene.show(lines=2)


async def _posted(
    scene: Any, official: int, command: str, group_chat: int, buttons: str
) -> dict[str, Any]:
    """Send `command` as the official and wait for the group chat's message whose buttons
    carry `buttons` (the consultation's "cv:" or the check-in's "ci:")."""
    since = len(scene.sb.calls)
    await scene.send(official, command)
    scene.show(lines=2)
    sent = await scene.sb.wait_for(
        "sendMessage",
        lambda c: c.seq >= since and c.chat_id == group_chat and buttons in str(c.params),
        timeout=30,
    )
    return dict(sent[-1].result)


async def consult_and_checkin(
    scene: Any, factory: Any, official: int, resident: int, neighbour: int, group_chat: int
) -> None:
    print(f"\n── 7. Lấy ý kiến các hộ {HCM_GROUP} và hỏi thăm an toàn ──")
    await _second_resident(factory, neighbour)
    scene.sb.user(neighbour, first_name="ông Bình")
    closes = (utcnow() + timedelta(days=2)).astimezone(HCM).strftime("%d/%m 20h")
    form = (f"/consult\nHỏi: Các hộ có đồng ý trồng thêm cây xanh ở ngõ 12 không?\n"
            f"- Đồng ý\n- Không đồng ý\nTổ: {HCM_GROUP}\nĐóng: {closes}")  # fmt: skip
    consult = await _posted(scene, official, form, group_chat, "cv:")
    consult_id = _id(consult)
    print(f"  📨 Nhóm {HCM_GROUP} nhận câu hỏi với hai nút bấm")
    await _press(scene, resident, consult, "Đồng ý")
    await _press(scene, neighbour, consult, "Không đồng ý")
    await scene.send(official, f"/consult_status {consult_id}")
    scene.show(lines=8)

    checkin = await _posted(
        scene, official, f"/checkin {HCM_GROUP}\nMưa lớn, nước dâng ở ngõ 12", group_chat, "ci:"
    )
    checkin_id = _id(checkin)
    print(f"  📨 Nhóm {HCM_GROUP} nhận câu hỏi «An toàn / Cần hỗ trợ / Không có nhà»")
    await _press(scene, resident, checkin, "An toàn")
    await _press(scene, neighbour, checkin, "Cần hỗ trợ")
    await scene.send(official, f"/checkin_status {checkin_id}")
    scene.show(lines=12)
