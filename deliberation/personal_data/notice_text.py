"""The first version of the privacy notice, created when a deployment first needs one.

Administrators change it by adding a new version in the back office. The values in
double braces come from the deployment's settings when the page is shown.
"""

from __future__ import annotations

BODY_KO = """
<p>{{ controller }}(이하 "운영 기관")는 「개인정보 보호법」에 따라 마당(국민외교 공론장)을 이용하는
주민의 개인정보를 다음과 같이 처리합니다.</p>

<h3>1. 처리하는 개인정보 항목</h3>
<ul>
<li>필수: 닉네임, 지역(지자체), 참여 기록(참여한 회의와 참여 방식, 발언, 제안,
투표·지지·설문 응답, 공감 반응, 신고)</li>
<li>기기 쿠키(madang_device): 이 브라우저를 알아보는 서명된 무작위 번호. 같은 기기에서 다시 참여할
때 같은 참여자로 알아보고, 투표를 기기당 한 번으로 세고, 차단이 새 닉네임으로 풀리지 않게 하는 데
씁니다.</li>
<li>요청 제한과 보안: 새 참여 횟수를 세기 위한 IP 주소·기기 번호의 해시(캐시에만 잠시 저장),
서버 접속 기록의 IP 주소</li>
<li>로그인 시도 기록: 로그인에 실패하거나 성공할 때의 아이디, IP 주소, 브라우저 정보(비밀번호를
계속 틀리는 시도를 막기 위해)</li>
<li>선택: 연령대(통계용)</li>
<li>계정을 연결한 경우: 아이디, 암호화한 비밀번호</li>
</ul>
<p>발언에 적힌 주민등록번호, 전화번호, 이메일 주소는 저장하기 전에 자동으로 가립니다.</p>

<h3>2. 처리 목적</h3>
<ul>
<li>회의 참여자 식별, 발언권과 투표의 1인 1표 관리, 회의 진행과 질서 유지</li>
<li>회의 요약 보고 작성과 외교부 답변 안내</li>
<li>연령대: 참여자 구성 통계(개인을 알아볼 수 없는 집계로만 사용)</li>
</ul>

<h3>3. 보유 기간과 파기</h3>
<p>각 항목은 아래 기간이 지나면 자동으로 파기하거나 익명 처리합니다.</p>
{{ retention_table }}
<p>회의 기록은 공론장의 공적 기록이므로 발언, 제안, 투표는 지우지 않고 남깁니다. 다만 보유 기간이
끝나거나 탈퇴하면 작성자를 "탈퇴한 참여자"로 바꾸고 닉네임, 지역, 연령대와 기기 연결을
지웁니다. 그 기기로 다시 참여하면 새 참여자가 되지만, 그 기기에 내려진 차단은 그대로
유지됩니다. 투표는 누가 했는지 알 수 없게 된 채로 집계에 남고, 이미 외교부에 전달한 요약 보고는
바뀌지 않습니다.</p>

<h3>4. 제3자 제공</h3>
<p>외교부에는 회의 요약 보고(집계, 가림 처리한 발언 인용, 제안과 투표 결과)만 전달하며, 닉네임이나
기기 정보 같은 개인정보 원본은 제공하지 않습니다. 법령에 근거가 있는 경우를 빼고는 다른 제3자에게
제공하지 않습니다.</p>

<h3>5. 정보주체의 권리와 행사 방법</h3>
<p>주민은 언제든지 자신의 개인정보를 열람하고 내려받을 수 있으며(JSON, CSV), 선택 항목 동의를
철회하거나 탈퇴(삭제)를 요청할 수 있습니다. 모든 화면 아래쪽의 "내 정보"에서 바로 할 수
있고, 전화나 서면으로 요청하면 운영 기관 관리자가 같은 절차로 처리하고 그 기록을 남깁니다.</p>

<h3>6. 동의를 거부할 권리</h3>
<p>필수 항목에 동의하지 않으면 회의에 참여할 수 없지만 공개 회의 목록과 요약은 볼 수 있습니다.
선택 항목에 동의하지 않아도 참여에는 아무런 제한이 없습니다.</p>

<h3>7. 안전성 확보 조치</h3>
<p>서명한 쿠키로만 참여자를 알아보고, 비밀번호는 암호화해 저장하며, 개인정보에 접근할 수 있는
사람을 관리자로 한정하고 그 처리 기록을 남깁니다.</p>

<h3>8. 개인정보 보호책임자와 연락처</h3>
<p>개인정보 처리자: {{ controller }}<br>
개인정보 보호책임자: {{ officer }}<br>
연락처: {{ contact }}</p>
"""

BODY_EN = """
<p>{{ controller }} (the "operator") processes the personal information of residents who use
Madang, the people's diplomacy forum, under Korea's Personal Information Protection Act as
follows.</p>

<h3>1. What is collected</h3>
<ul>
<li>Required: nickname, region (municipality), and your participation (sessions joined and how
you joined them, statements, proposals, votes, support and poll answers, reactions, reports).</li>
<li>Device cookie (madang_device): a signed random number that recognises this browser. It lets
you stay the same participant when you come back on this device, counts votes once per device, and
keeps a ban in force when someone joins again under a new nickname.</li>
<li>Request limits and security: hashes of IP addresses and device numbers used to count new joins
(kept briefly in a cache only), and IP addresses in server logs.</li>
<li>Sign-in attempt log: the username, IP address and browser of failed and successful sign-ins
(to stop repeated password guessing).</li>
<li>Optional: age band (for statistics).</li>
<li>If you attach an account: username and a hashed password.</li>
</ul>
<p>Resident registration numbers, phone numbers and e-mail addresses written in statements are
masked automatically before they are stored.</p>

<h3>2. Why</h3>
<ul>
<li>To recognise participants, keep speaking turns and votes to one per person, and run
sessions in good order.</li>
<li>To write session digests and tell you about the ministry's answers.</li>
<li>Age band: statistics on who took part, only ever as counts that identify no one.</li>
</ul>

<h3>3. How long it is kept</h3>
<p>Each kind is erased or anonymised automatically when its period ends:</p>
{{ retention_table }}
<p>Sessions are a public record, so statements, proposals and votes are not deleted. When the
period ends or you withdraw, their author becomes "탈퇴한 참여자" (a withdrawn participant) and your
nickname, region, age band and device link are erased. Joining again from that device makes a new
participant, but a ban on that device stays in force. Votes stay counted without anyone
knowing whose they were, and digests already sent to the ministry do not change.</p>

<h3>4. Third parties</h3>
<p>The Ministry of Foreign Affairs receives session digests only (counts, masked quotations,
proposals and vote results), never raw personal data such as nicknames or device details.
Nothing is given to other third parties unless a law requires it.</p>

<h3>5. Your rights and how to use them</h3>
<p>You may see and download your data at any time (JSON, CSV), withdraw your consent to the
optional items, or withdraw altogether (erasure). Use "My data" at the foot of every page, or ask
by phone or letter: the operator's administrators answer through the same steps and keep a
record of it.</p>

<h3>6. Your right to refuse</h3>
<p>Without consent to the required items you cannot take part in sessions, but you can still read
the public session list and digests. Refusing the optional items limits nothing.</p>

<h3>7. Safeguards</h3>
<p>Participants are recognised only by signed cookies, passwords are stored hashed, access to
personal information is limited to administrators and every such access is logged.</p>

<h3>8. Privacy officer and contact</h3>
<p>Controller: {{ controller }}<br>Privacy officer: {{ officer }}<br>Contact: {{ contact }}</p>
"""
