"""Every sentence the desktop app shows, in bokmål, nynorsk and English (the typed catalogue).

Decision (docs/ui.md): the UI uses a typed catalogue of :class:`~videotime_client.texts.Text`
values instead of gettext ``.po`` files.  The core already speaks ``Text``; one mechanism means one
review, mypy catches a misspelt key, and ``tests/ui/test_i18n.py`` fails when an entry is missing
a language, when English is left in bokmål (untranslated), or when an entry is never used.

How to add a sentence: add ``NAME = Text(nb=..., nn=..., en=...)`` to :class:`S` below, use it as
``S.NAME`` somewhere in ``ui/`` (or ``cli/demo.py``), run ``tests/ui/test_i18n.py``.  Sentences
from the hospital's text (``shared/seed``) keep the hospital's wording as closely as plain
language allows; ``SEED_*`` names mark them.
"""

from __future__ import annotations

from videotime_client.texts import Text

# Entries whose English is legitimately the same as bokmål (names, numbers, endonyms).
SAME_IN_ALL_LANGUAGES = frozenset({"LANG_NB", "LANG_NN", "LANG_EN", "OK"})


class S:
    """The catalogue. Attribute names are stable keys; values are ``Text``."""

    # ---------------------------------------------------------------- general
    WINDOW_TITLE = Text(
        nb="Videotime – sykehuset",
        nn="Videotime – sjukehuset",
        en="Video appointment – the hospital",
    )
    OK = Text(nb="OK", nn="OK", en="OK")
    YES = Text(nb="Ja", nn="Ja", en="Yes")
    NO = Text(nb="Nei", nn="Nei", en="No")
    BACK = Text(nb="Tilbake", nn="Tilbake", en="Back")
    BACK_DESC = Text(
        nb="Gå tilbake til forrige side.",
        nn="Gå tilbake til førre side.",
        en="Go back to the previous page.",
    )
    LANGUAGE = Text(nb="Språk", nn="Språk", en="Language")
    LANGUAGE_DESC = Text(
        nb="Velg språket appen skal bruke.",
        nn="Vel språket appen skal bruke.",
        en="Choose the language of the app.",
    )
    LANG_NB = Text(nb="Norsk bokmål", nn="Norsk bokmål", en="Norsk bokmål")
    LANG_NN = Text(nb="Norsk nynorsk", nn="Norsk nynorsk", en="Norsk nynorsk")
    LANG_EN = Text(nb="English", nn="English", en="English")
    STEP_OF = Text(nb="Steg {n} av {total}", nn="Steg {n} av {total}", en="Step {n} of {total}")

    # ---------------------------------------------------------------- dates and durations
    WEEKDAYS = (
        Text(nb="mandag", nn="måndag", en="Monday"),
        Text(nb="tirsdag", nn="tysdag", en="Tuesday"),
        Text(nb="onsdag", nn="onsdag", en="Wednesday"),
        Text(nb="torsdag", nn="torsdag", en="Thursday"),
        Text(nb="fredag", nn="fredag", en="Friday"),
        Text(nb="lørdag", nn="laurdag", en="Saturday"),
        Text(nb="søndag", nn="sundag", en="Sunday"),
    )
    MONTHS = (
        Text(nb="januar", nn="januar", en="January"),
        Text(nb="februar", nn="februar", en="February"),
        Text(nb="mars", nn="mars", en="March"),
        Text(nb="april", nn="april", en="April"),
        Text(nb="mai", nn="mai", en="May"),
        Text(nb="juni", nn="juni", en="June"),
        Text(nb="juli", nn="juli", en="July"),
        Text(nb="august", nn="august", en="August"),
        Text(nb="september", nn="september", en="September"),
        Text(nb="oktober", nn="oktober", en="October"),
        Text(nb="november", nn="november", en="November"),
        Text(nb="desember", nn="desember", en="December"),
    )
    DATE_TIME = Text(
        nb="{weekday} {day}. {month} kl. {time}",
        nn="{weekday} {day}. {month} kl. {time}",
        en="{weekday} {day} {month} at {time}",
    )
    DURATION_DAYS = Text(nb="{n} dager", nn="{n} dagar", en="{n} days")
    DURATION_DAY = Text(nb="1 dag", nn="1 dag", en="1 day")
    DURATION_HOURS = Text(nb="{n} timer", nn="{n} timar", en="{n} hours")
    DURATION_HOUR = Text(nb="1 time", nn="1 time", en="1 hour")
    DURATION_MINUTES = Text(nb="{n} minutter", nn="{n} minutt", en="{n} minutes")
    DURATION_MINUTE = Text(nb="1 minutt", nn="1 minutt", en="1 minute")
    DURATION_AND = Text(nb="{a} og {b}", nn="{a} og {b}", en="{a} and {b}")

    # ---------------------------------------------------------------- home
    HOME_TITLE = Text(nb="Dine videotimer", nn="Videotimane dine", en="Your video appointments")
    SEED_INTRO = Text(
        nb="Ved konsultasjoner der fysisk undersøkelse ikke er nødvendig, kan du få tilbud om "
        "videotime.",
        nn="Ved konsultasjonar der fysisk undersøking ikkje er nødvendig, kan du få tilbod om "
        "videotime.",
        en="For consultations where a physical examination is not needed, you may be offered a "
        "video appointment.",
    )
    HOME_EMPTY = Text(
        nb="Du har ingen videotimer lagret ennå.",
        nn="Du har ingen videotimar lagra enno.",
        en="You have no saved video appointments yet.",
    )
    HOME_LIST_NAME = Text(
        nb="Kommende videotimer", nn="Komande videotimar", en="Upcoming video appointments"
    )
    HOME_LIST_DESC = Text(
        nb="Velg en time og trykk «Åpne timen».",
        nn="Vel ein time og trykk «Opne timen».",
        en="Choose an appointment and press “Open the appointment”.",
    )
    HOME_ITEM = Text(
        nb="{when} – {department}", nn="{when} – {department}", en="{when} – {department}"
    )
    HOME_UNKNOWN_DEPARTMENT = Text(nb="avdelingen", nn="avdelinga", en="the department")
    HOME_OPEN_APPOINTMENT = Text(nb="Åpne timen", nn="Opne timen", en="Open the appointment")
    HOME_OPEN_APPOINTMENT_DESC = Text(
        nb="Viser den valgte timen.",
        nn="Viser den valde timen.",
        en="Shows the chosen appointment.",
    )
    HOME_LINK_HEADING = Text(
        nb="Åpne lenken fra innkallingsbrevet",
        nn="Opne lenkja frå innkallingsbrevet",
        en="Open the link from your appointment letter",
    )
    HOME_LINK_HELP = Text(
        nb="Lim inn lenken, dra den hit, eller skriv romnummeret (6 siffer) fra brevet.",
        nn="Lim inn lenkja, dra ho hit, eller skriv romnummeret (6 siffer) frå brevet.",
        en="Paste the link, drag it here, or type the room number (6 digits) from the letter.",
    )
    HOME_LINK_FIELD = Text(
        nb="Lenke eller romnummer", nn="Lenkje eller romnummer", en="Link or room number"
    )
    HOME_LINK_OPEN = Text(nb="Åpne lenken", nn="Opne lenkja", en="Open the link")
    HOME_LINK_OPEN_DESC = Text(
        nb="Åpner timen fra lenken eller romnummeret du skrev.",
        nn="Opnar timen frå lenkja eller romnummeret du skreiv.",
        en="Opens the appointment from the link or room number you typed.",
    )
    HOME_LINK_EMPTY = Text(
        nb="Skriv eller lim inn lenken først.",
        nn="Skriv eller lim inn lenkja først.",
        en="Type or paste the link first.",
    )
    SEED_LETTER = Text(
        nb="Påloggingsinformasjonen står i innkallingsbrevet. Du får brevet digitalt eller i "
        "posten. For å få brev digitalt må du være registrert som bruker på helsenorge.no eller "
        "ha digital postkasse.",
        nn="Påloggingsinformasjonen står i innkallingsbrevet. Du får brevet digitalt eller i "
        "posten. For å få brev digitalt må du vere registrert som brukar på helsenorge.no eller "
        "ha digital postkasse.",
        en="The login information is in the appointment letter. You receive the letter "
        "digitally or by post. To get letters digitally you must be registered as a user on "
        "helsenorge.no or have a digital mailbox.",
    )

    # ---------------------------------------------------------------- appointment
    APPT_TITLE = Text(nb="Videotime {when}", nn="Videotime {when}", en="Video appointment {when}")
    APPT_FROM = Text(nb="Fra: {department}", nn="Frå: {department}", en="From: {department}")
    APPT_STARTS_IN = Text(
        nb="Timen starter om {duration}.",
        nn="Timen startar om {duration}.",
        en="The appointment starts in {duration}.",
    )
    APPT_STARTED = Text(
        nb="Timen har startet. Gå inn nå.",
        nn="Timen har starta. Gå inn no.",
        en="The appointment has started. Join now.",
    )
    APPT_NO_TIME = Text(
        nb="Tidspunktet står i innkallingsbrevet.",
        nn="Tidspunktet står i innkallingsbrevet.",
        en="The time is in your appointment letter.",
    )
    APPT_JOIN = Text(
        nb="Gå inn i videotimen", nn="Gå inn i videotimen", en="Join the video appointment"
    )
    APPT_JOIN_DESC = Text(
        nb="Går videre til utstyr og navn før du kommer til venterommet.",
        nn="Går vidare til utstyr og namn før du kjem til venterommet.",
        en="Goes on to your equipment and name before the waiting room.",
    )
    APPT_JOIN_EARLY = Text(
        nb="Det er mer enn 10 minutter til timen. Du kan gå inn nå, men da venter du i "
        "venterommet til behandleren slipper deg inn.",
        nn="Det er meir enn 10 minutt til timen. Du kan gå inn no, men då ventar du i "
        "venterommet til behandlaren slepper deg inn.",
        en="It is more than 10 minutes until the appointment. You can join now, but you will "
        "wait in the waiting room until the clinician lets you in.",
    )
    SEED_LOGIN_EARLY = Text(
        nb="Logg deg på noen minutter før timen starter.",
        nn="Logg deg på nokre minutt før timen startar.",
        en="Log in a few minutes before the appointment starts.",
    )
    APPT_TEST = Text(nb="Test utstyret ditt", nn="Test utstyret ditt", en="Test your equipment")
    APPT_TEST_DESC = Text(
        nb="Sjekker kamera, mikrofon, høyttaler, lys, batteri og nett.",
        nn="Sjekkar kamera, mikrofon, høgtalar, lys, batteri og nett.",
        en="Checks camera, microphone, speaker, light, battery and network.",
    )
    APPT_PREPARE = Text(nb="Slik forbereder du deg", nn="Slik førebur du deg", en="How to prepare")
    SEED_PREP_EQUIPMENT = Text(
        nb="Kontroller at du har utstyret som er nødvendig.",
        nn="Kontroller at du har utstyret som er naudsynt.",
        en="Check that you have the equipment you need.",
    )
    SEED_PREP_TRY = Text(
        nb="Prøv utstyret før timen.",
        nn="Prøv utstyret før timen.",
        en="Try the equipment before the appointment.",
    )
    SEED_PREP_QUIET = Text(
        nb="Sett deg et rolig sted der du er alene.",
        nn="Set deg ein roleg stad der du er åleine.",
        en="Sit somewhere quiet where you are alone.",
    )
    SEED_PREP_LIGHT = Text(
        nb="Ha godt lys, men unngå å sitte med lyset bak deg (det kan gi dårligere lys).",
        nn="Ha godt lys, men unngå å sitje med lyset bak deg (det kan gje dårlegare lys).",
        en="Have good light, but avoid sitting with the light behind you (it can make the "
        "light worse).",
    )
    SEED_PREP_PHONE = Text(
        nb="Ha en telefon i nærheten i tilfelle tekniske problemer.",
        nn="Ha ein telefon i nærleiken i tilfelle tekniske problem.",
        en="Have a telephone at hand in case of technical problems.",
    )
    SEED_PREP_BATTERY = Text(
        nb="Ha fulladet batteri eller strømkabel (lader) tilgjengelig.",
        nn="Ha fullada batteri eller straumkabel (ladar) tilgjengeleg.",
        en="Have a fully charged battery or the power cable (charger) at hand.",
    )
    SEED_PREP_LINK = Text(
        nb="Bruk lenken i innkallingsbrevet.",
        nn="Bruk lenkja i innkallingsbrevet.",
        en="Use the link in the appointment letter.",
    )
    APPT_EQUIPMENT = Text(
        nb="Utstyr som fungerer", nn="Utstyr som fungerer", en="Equipment that works"
    )
    SEED_EQUIPMENT = Text(
        nb="Videotimen gjennomføres via smarttelefon, nettbrett eller PC/Mac. Du må være "
        "tilkoblet internett for å delta i en videotime.",
        nn="Videotimen går føre seg via smarttelefon, nettbrett eller PC/Mac. Du må vere "
        "kopla til internett for å delta i ein videotime.",
        en="The video appointment takes place on a smartphone, tablet or PC/Mac. You must be "
        "connected to the internet to take part in a video appointment.",
    )
    SEED_BROWSERS = Text(
        nb="I nettleser kan du bruke Google Chrome, Mozilla Firefox, Microsoft Edge eller "
        "Apple Safari. Detaljert informasjon om støttede nettlesere finner du på delta.nhn.no.",
        nn="I nettlesar kan du bruke Google Chrome, Mozilla Firefox, Microsoft Edge eller "
        "Apple Safari. Detaljert informasjon om støtta nettlesarar finn du på delta.nhn.no.",
        en="In a web browser you can use Google Chrome, Mozilla Firefox, Microsoft Edge or "
        "Apple Safari. Details about supported browsers are on delta.nhn.no.",
    )
    APPT_CHANGE = Text(
        nb="Må du endre timen?", nn="Må du endre timen?", en="Need to change the appointment?"
    )
    SEED_CHANGE_TIME = Text(
        nb="Dersom du må endre tidspunkt for timen, må du gi beskjed til avdelingen i god tid.",
        nn="Dersom du må endre tidspunkt for timen, må du gi beskjed til avdelinga i god tid.",
        en="If you must change the time of the appointment, tell the department in good time.",
    )
    SEED_DECLINE = Text(
        nb="Si fra hvis du ikke ønsker videotime. Avdelingen vurderer da om timen kan "
        "gjennomføres på en annen måte.",
        nn="Sei frå dersom du ikkje ønskjer videotime. Avdelinga vurderer då om timen kan "
        "gjennomførast på ein annan måte.",
        en="Tell the department if you do not want a video appointment. They will then "
        "consider whether the appointment can be held another way.",
    )
    SEED_TECH_HELP = Text(
        nb="Har du tekniske problemer med videomøtet, ta kontakt med avdelingen som sendte "
        "deg innkallingsbrevet.",
        nn="Har du tekniske problem med videomøtet, ta kontakt med avdelinga som sende deg "
        "innkallingsbrevet.",
        en="If you have technical problems with the video meeting, contact the department "
        "that sent you the appointment letter.",
    )
    PHONE_KNOWN = Text(
        nb="Telefon til avdelingen: {phone}",
        nn="Telefon til avdelinga: {phone}",
        en="The department's phone: {phone}",
    )
    PHONE_UNKNOWN = Text(
        nb="Telefonnummeret til avdelingen står i innkallingsbrevet.",
        nn="Telefonnummeret til avdelinga står i innkallingsbrevet.",
        en="The department's phone number is in the appointment letter.",
    )

    # ---------------------------------------------------------------- equipment check
    EQ_TITLE = Text(nb="Test utstyret ditt", nn="Test utstyret ditt", en="Test your equipment")
    EQ_INTRO = Text(
        nb="Vi sjekker kamera, mikrofon, høyttaler, lys, batteri og nett. Det tar omtrent ti "
        "sekunder.",
        nn="Vi sjekkar kamera, mikrofon, høgtalar, lys, batteri og nett. Det tek omtrent ti "
        "sekund.",
        en="We check camera, microphone, speaker, light, battery and network. It takes about "
        "ten seconds.",
    )
    SELF_VIEW = Text(
        nb="Bildet fra kameraet ditt",
        nn="Biletet frå kameraet ditt",
        en="The picture from your camera",
    )
    SELF_VIEW_DESC = Text(
        nb="Slik ser behandleren deg.",
        nn="Slik ser behandlaren deg.",
        en="This is how the clinician sees you.",
    )
    EQ_MIC_METER = Text(
        nb="Lydnivå fra mikrofonen",
        nn="Lydnivå frå mikrofonen",
        en="Sound level from the microphone",
    )
    EQ_MIC_HELP = Text(
        nb="Si noe – stolpen skal bevege seg.",
        nn="Sei noko – stolpen skal røre seg.",
        en="Say something – the bar should move.",
    )
    EQ_HEARD_DESC = Text(
        nb="Svar ja hvis du hørte tonen.",
        nn="Svar ja om du høyrde tonen.",
        en="Answer yes if you heard the tone.",
    )
    EQ_NOT_HEARD_DESC = Text(
        nb="Svar nei hvis du ikke hørte noe.",
        nn="Svar nei om du ikkje høyrde noko.",
        en="Answer no if you heard nothing.",
    )
    CHECK_CAMERA = Text(nb="Kamera", nn="Kamera", en="Camera")
    CHECK_MICROPHONE = Text(nb="Mikrofon", nn="Mikrofon", en="Microphone")
    CHECK_SPEAKER = Text(nb="Høyttaler", nn="Høgtalar", en="Speaker")
    CHECK_LIGHTING = Text(nb="Lys", nn="Lys", en="Light")
    CHECK_BATTERY = Text(nb="Batteri", nn="Batteri", en="Battery")
    CHECK_NETWORK = Text(nb="Internett", nn="Internett", en="Internet connection")
    CHECK_CPU = Text(nb="Datamaskin", nn="Datamaskin", en="Computer")
    VERDICT_PENDING = Text(nb="Sjekker …", nn="Sjekkar …", en="Checking …")
    VERDICT_GOOD = Text(nb="I orden", nn="I orden", en="Fine")
    VERDICT_LIMITED = Text(
        nb="Fungerer, men kan bli bedre",
        nn="Fungerer, men kan bli betre",
        en="Works, but could be better",
    )
    VERDICT_CANNOT = Text(nb="Fungerer ikke", nn="Fungerer ikkje", en="Does not work")
    VERDICT_NOT_RUN = Text(nb="Ikke sjekket", nn="Ikkje sjekka", en="Not checked")
    CHECK_ROW = Text(nb="{check}: {verdict}", nn="{check}: {verdict}", en="{check}: {verdict}")
    OVERALL_PENDING = Text(
        nb="Sjekken pågår …", nn="Sjekken held fram …", en="The check is running …"
    )
    OVERALL_GOOD = Text(
        nb="Alt er klart for videotimen.",
        nn="Alt er klart til videotimen.",
        en="Everything is ready for the video appointment.",
    )
    OVERALL_LIMITED = Text(
        nb="Du kan gå inn i videotimen, men noe kan fungere dårligere. Se rådene til høyre.",
        nn="Du kan gå inn i videotimen, men noko kan fungere dårlegare. Sjå råda til høgre.",
        en="You can join the video appointment, but something may work less well. See the "
        "advice on the right.",
    )
    OVERALL_CANNOT = Text(
        nb="Utstyret fungerer ikke slik det er nå. Følg rådene til høyre og sjekk på nytt.",
        nn="Utstyret fungerer ikkje slik det er no. Følg råda til høgre og sjekk på nytt.",
        en="Your equipment does not work as it is now. Follow the advice on the right and "
        "check again.",
    )
    OVERALL_CANNOT_CALL = Text(
        nb="Får du det ikke til, ring avdelingen som sendte deg innkallingsbrevet.",
        nn="Får du det ikkje til, ring avdelinga som sende deg innkallingsbrevet.",
        en="If it still does not work, call the department that sent you the appointment letter.",
    )
    OVERALL_NOT_RUN = Text(
        nb="Noen sjekker kunne ikke kjøres. Det betyr ikke at noe er galt.",
        nn="Nokre sjekkar kunne ikkje køyrast. Det tyder ikkje at noko er gale.",
        en="Some checks could not run. That does not mean anything is wrong.",
    )
    EQ_CHECK_AGAIN = Text(nb="Sjekk på nytt", nn="Sjekk på nytt", en="Check again")
    EQ_CHECK_AGAIN_DESC = Text(
        nb="Kjører hele sjekken en gang til.",
        nn="Køyrer heile sjekken ein gong til.",
        en="Runs the whole check once more.",
    )
    EQ_CONTINUE = Text(nb="Gå videre", nn="Gå vidare", en="Continue")
    EQ_JOIN_ANYWAY = Text(nb="Gå inn likevel", nn="Gå inn likevel", en="Join anyway")
    EQ_CONTINUE_DESC = Text(
        nb="Går videre til å velge utstyr og skrive navnet ditt.",
        nn="Går vidare til å velje utstyr og skrive namnet ditt.",
        en="Goes on to choosing equipment and typing your name.",
    )
    LIGHT_GOOD = Text(nb="Lyset er fint", nn="Lyset er fint", en="The light is good")
    LIGHT_TOO_DARK = Text(
        nb="For mørkt – slå på mer lys",
        nn="For mørkt – slå på meir lys",
        en="Too dark – turn on more light",
    )
    LIGHT_BACKLIT = Text(
        nb="Lyset er bak deg – snu deg mot lyset",
        nn="Lyset er bak deg – snu deg mot lyset",
        en="The light is behind you – turn towards the light",
    )
    LIGHT_OVEREXPOSED = Text(
        nb="For sterkt lys – demp lyset litt",
        nn="For sterkt lys – demp lyset litt",
        en="Too bright – dim the light a little",
    )
    LIGHT_NO_FACE = Text(
        nb="Vi ser ikke ansiktet ditt – flytt kameraet",
        nn="Vi ser ikkje andletet ditt – flytt kameraet",
        en="We cannot see your face – move the camera",
    )
    LIGHT_CHECKING = Text(nb="Ser på lyset …", nn="Ser på lyset …", en="Looking at the light …")

    # ---------------------------------------------------------------- before joining
    BJ_TITLE = Text(nb="Klar til å gå inn", nn="Klar til å gå inn", en="Ready to join")
    BJ_INTRO = Text(
        nb="Sjekk at alt er riktig før du går inn. Mikrofon og kamera kan du slå av og på "
        "under samtalen.",
        nn="Sjekk at alt er rett før du går inn. Mikrofon og kamera kan du slå av og på "
        "under samtalen.",
        en="Check that everything is right before you join. You can turn the microphone and "
        "camera off and on during the call.",
    )
    BJ_DEVICE_DESC = Text(
        nb="Velg hvilket {device} som skal brukes.",
        nn="Vel kva for {device} som skal brukast.",
        en="Choose which {device} to use.",
    )
    DEVICE_DEFAULT = Text(nb="Standard", nn="Standard", en="Default")
    DEVICE_TEST_PATTERN = Text(nb="Testbilde", nn="Testbilete", en="Test picture")
    DEVICE_TEST_TONE = Text(nb="Testlyd", nn="Testlyd", en="Test sound")
    BJ_NAME = Text(
        nb="Navnet ditt (vises for behandleren)",
        nn="Namnet ditt (blir vist for behandlaren)",
        en="Your name (shown to the clinician)",
    )
    BJ_NAME_DESC = Text(
        nb="Skriv fornavn og etternavn.",
        nn="Skriv førenamn og etternamn.",
        en="Type your first and last name.",
    )
    BJ_NAME_REQUIRED = Text(
        nb="Skriv navnet ditt for å gå videre.",
        nn="Skriv namnet ditt for å gå vidare.",
        en="Type your name to continue.",
    )
    BJ_PIN = Text(nb="PIN-kode", nn="PIN-kode", en="PIN")
    BJ_PIN_DESC = Text(
        nb="PIN-koden står i innkallingsbrevet.",
        nn="PIN-koden står i innkallingsbrevet.",
        en="The PIN is in your appointment letter.",
    )
    BJ_START_MUTED = Text(
        nb="Start med mikrofonen av",
        nn="Start med mikrofonen av",
        en="Start with the microphone off",
    )
    BJ_START_CAMERA_OFF = Text(
        nb="Start med kameraet av", nn="Start med kameraet av", en="Start with the camera off"
    )
    BJ_START_OPTION_DESC = Text(
        nb="Du kan slå det på igjen når du er inne.",
        nn="Du kan slå det på igjen når du er inne.",
        en="You can turn it on again once you are in.",
    )
    BJ_JOIN = Text(
        nb="Gå inn i venterommet", nn="Gå inn i venterommet", en="Enter the waiting room"
    )
    BJ_JOIN_DESC = Text(
        nb="Kobler deg til. Behandleren slipper deg inn.",
        nn="Koplar deg til. Behandlaren slepper deg inn.",
        en="Connects you. The clinician lets you in.",
    )

    # ---------------------------------------------------------------- waiting room
    WR_TITLE = Text(
        nb="Behandleren din slipper deg inn",
        nn="Behandlaren din slepper deg inn",
        en="Your clinician will let you in",
    )
    WR_TIME = Text(
        nb="Timen din er {when}.", nn="Timen din er {when}.", en="Your appointment is {when}."
    )
    WR_WHAT = Text(
        nb="Du er i venterommet. Behandleren ser at du venter og slipper deg inn når hen er "
        "klar. Du trenger ikke gjøre noe.",
        nn="Du er i venterommet. Behandlaren ser at du ventar og slepper deg inn når hen er "
        "klar. Du treng ikkje gjere noko.",
        en="You are in the waiting room. The clinician can see that you are waiting and will "
        "let you in when ready. You do not need to do anything.",
    )
    WR_CONNECTING = Text(nb="Kobler til …", nn="Koplar til …", en="Connecting …")
    WR_WAITED = Text(
        nb="Du har ventet i {duration}.",
        nn="Du har venta i {duration}.",
        en="You have waited for {duration}.",
    )
    WR_LEAVE = Text(nb="Forlat venterommet", nn="Forlat venterommet", en="Leave the waiting room")
    WR_LEAVE_DESC = Text(
        nb="Avslutter og går ut av videotimen.",
        nn="Avsluttar og går ut av videotimen.",
        en="Stops waiting and leaves the video appointment.",
    )
    QUALITY_UNKNOWN = Text(
        nb="Måler forbindelsen …", nn="Måler sambandet …", en="Measuring the connection …"
    )
    QUALITY_GOOD = Text(nb="God forbindelse", nn="Godt samband", en="Good connection")
    QUALITY_FAIR = Text(nb="Middels forbindelse", nn="Middels samband", en="Fair connection")
    QUALITY_POOR = Text(
        nb="Svak forbindelse – bildet kan hakke",
        nn="Svakt samband – biletet kan hakke",
        en="Weak connection – the picture may stutter",
    )
    QUALITY_DESC = Text(
        nb="Hvor god internettforbindelsen er akkurat nå.",
        nn="Kor godt internettsambandet er akkurat no.",
        en="How good the internet connection is right now.",
    )

    # ---------------------------------------------------------------- introductions
    IN_TITLE = Text(
        nb="Alle presenterer seg", nn="Alle presenterer seg", en="Everyone introduces themselves"
    )
    IN_ADMITTED = Text(
        nb="Behandleren har sluppet deg inn.",
        nn="Behandlaren har sleppt deg inn.",
        en="The clinician has let you in.",
    )
    SEED_RULE_EVERYONE = Text(
        nb="Alle som er til stede i timen, må presentere seg. Har du noen i rommet sammen med "
        "deg, må du si det og presentere dem.",
        nn="Alle som er til stades i timen, må presentere seg. Har du nokon i rommet saman med "
        "deg, må du seie det og presentere dei.",
        en="Everyone present in the appointment must introduce themselves. If you have someone "
        "in the room with you, you must say so and introduce them.",
    )
    SEED_RULE_NOBODY_UNKNOWN = Text(
        nb="Det skal ikke være noen i rommet som behandleren ikke vet om, og behandleren skal "
        "heller ikke ha noen i rommet som du ikke vet om.",
        nn="Det skal ikkje vere nokon i rommet som behandlaren ikkje veit om, og behandlaren "
        "skal heller ikkje ha nokon i rommet som du ikkje veit om.",
        en="There must be nobody in the room that the clinician does not know about, and the "
        "clinician must not have anyone in the room that you do not know about.",
    )
    IN_WHO = Text(
        nb="Hvem er i rommet sammen med deg?",
        nn="Kven er i rommet saman med deg?",
        en="Who is in the room with you?",
    )
    IN_ALONE = Text(
        nb="Jeg er alene i rommet", nn="Eg er åleine i rommet", en="I am alone in the room"
    )
    IN_NOT_ALONE = Text(
        nb="Det er andre i rommet sammen med meg",
        nn="Det er andre i rommet saman med meg",
        en="There are others in the room with me",
    )
    IN_WHO_DESC = Text(
        nb="Velg ett av svarene.", nn="Vel eitt av svara.", en="Choose one of the answers."
    )
    IN_PERSON_NAME = Text(nb="Navn", nn="Namn", en="Name")
    IN_PERSON_NAME_DESC = Text(
        nb="Navnet til personen som er med deg.",
        nn="Namnet til personen som er med deg.",
        en="The name of the person with you.",
    )
    IN_PERSON_RELATION = Text(
        nb="Hvem er det for deg?", nn="Kven er det for deg?", en="Who are they to you?"
    )
    IN_PERSON_RELATION_DESC = Text(
        nb="For eksempel ektefelle, datter, tolk.",
        nn="Til dømes ektefelle, dotter, tolk.",
        en="For example spouse, daughter, interpreter.",
    )
    IN_ADD_PERSON = Text(
        nb="Legg til en person til", nn="Legg til ein person til", en="Add another person"
    )
    IN_ADD_PERSON_DESC = Text(
        nb="Legger til en linje for en person til.",
        nn="Legg til ei line for ein person til.",
        en="Adds a line for one more person.",
    )
    IN_REMOVE_PERSON = Text(nb="Fjern", nn="Fjern", en="Remove")
    IN_REMOVE_PERSON_DESC = Text(
        nb="Fjerner denne personen fra listen.",
        nn="Fjernar denne personen frå lista.",
        en="Removes this person from the list.",
    )
    SEED_NO_RECORDING = Text(
        nb="Det skal ikke gjøres opptak av samtalen (verken lyd eller bilde).",
        nn="Det skal ikkje gjerast opptak av samtalen (verken lyd eller bilete).",
        en="The conversation must not be recorded (neither sound nor picture).",
    )
    IN_CONFIRM_NO_RECORDING = Text(
        nb="Jeg bekrefter at jeg ikke gjør opptak av samtalen (verken lyd eller bilde).",
        nn="Eg stadfestar at eg ikkje gjer opptak av samtalen (verken lyd eller bilete).",
        en="I confirm that I will not record the conversation (neither sound nor picture).",
    )
    IN_SHARE_CHECK = Text(
        nb="Send også resultatet av utstyrssjekken til behandleren",
        nn="Send også resultatet av utstyrssjekken til behandlaren",
        en="Also send the result of the equipment check to the clinician",
    )
    IN_SHARE_CHECK_DESC = Text(
        nb="Behandleren ser da om bilde, lyd og nett fungerer hos deg.",
        nn="Behandlaren ser då om bilete, lyd og nett fungerer hos deg.",
        en="The clinician then sees whether picture, sound and network work for you.",
    )
    IN_SEND = Text(nb="Send til behandleren", nn="Send til behandlaren", en="Send to the clinician")
    IN_SEND_DESC = Text(
        nb="Sender svarene dine som en melding til behandleren.",
        nn="Sender svara dine som ei melding til behandlaren.",
        en="Sends your answers to the clinician as a message.",
    )
    IN_SEND_MISSING = Text(
        nb="Svar på hvem som er i rommet, skriv navnene, og bekreft at du ikke gjør opptak.",
        nn="Svar på kven som er i rommet, skriv namna, og stadfest at du ikkje gjer opptak.",
        en="Answer who is in the room, type the names, and confirm that you will not record.",
    )
    IN_SENT = Text(
        nb="Sendt til behandleren.", nn="Sendt til behandlaren.", en="Sent to the clinician."
    )
    IN_CLINICIAN_SAYS = Text(
        nb="Behandleren skriver:", nn="Behandlaren skriv:", en="The clinician writes:"
    )
    IN_CLINICIAN_WAITING = Text(
        nb="Behandleren presenterer seg snart.",
        nn="Behandlaren presenterer seg snart.",
        en="The clinician will introduce themselves soon.",
    )
    IN_CHECKLIST = Text(
        nb="Kryss av når det er gjort", nn="Kryss av når det er gjort", en="Tick when it is done"
    )
    IN_CHECK_ME = Text(
        nb="Jeg har presentert meg", nn="Eg har presentert meg", en="I introduced myself"
    )
    IN_CHECK_MINE = Text(
        nb="Alle som er med meg, har presentert seg",
        nn="Alle som er med meg, har presentert seg",
        en="Everyone with me introduced themselves",
    )
    IN_CHECK_CLINICIAN = Text(
        nb="Behandleren har presentert alle på sin side",
        nn="Behandlaren har presentert alle på si side",
        en="The clinician introduced everyone on their side",
    )
    IN_CHECK_DESC = Text(
        nb="Kryss av når dette er gjort i samtalen.",
        nn="Kryss av når dette er gjort i samtalen.",
        en="Tick when this has been done in the conversation.",
    )
    IN_CONTINUE = Text(nb="Start samtalen", nn="Start samtalen", en="Start the conversation")
    IN_CONTINUE_DESC = Text(
        nb="Blir mulig når du har sendt svarene og krysset av alt.",
        nn="Vert mogleg når du har sendt svara og kryssa av alt.",
        en="Possible once you have sent your answers and ticked everything.",
    )
    DECL_HEADER = Text(nb="Fra pasienten:", nn="Frå pasienten:", en="From the patient:")
    DECL_ALONE = Text(
        nb="Jeg er alene i rommet.", nn="Eg er åleine i rommet.", en="I am alone in the room."
    )
    DECL_WITH = Text(
        nb="Disse er i rommet sammen med meg: {people}.",
        nn="Desse er i rommet saman med meg: {people}.",
        en="These people are in the room with me: {people}.",
    )
    DECL_PERSON = Text(nb="{name} ({relation})", nn="{name} ({relation})", en="{name} ({relation})")
    DECL_NO_RECORDING = Text(
        nb="Jeg gjør ikke opptak av samtalen.",
        nn="Eg gjer ikkje opptak av samtalen.",
        en="I am not recording the conversation.",
    )

    # ---------------------------------------------------------------- consultation
    CO_CLINICIAN_VIDEO = Text(
        nb="Bildet av behandleren", nn="Biletet av behandlaren", en="The clinician's picture"
    )
    CO_CLINICIAN_VIDEO_DESC = Text(
        nb="Behandleren vises her.",
        nn="Behandlaren blir vist her.",
        en="The clinician is shown here.",
    )
    CO_SELF_VIEW_DESC = Text(
        nb="Dra bildet for å flytte det.",
        nn="Dra biletet for å flytte det.",
        en="Drag the picture to move it.",
    )
    CO_MUTE = Text(nb="Slå av mikrofonen", nn="Slå av mikrofonen", en="Turn microphone off")
    CO_UNMUTE = Text(nb="Slå på mikrofonen", nn="Slå på mikrofonen", en="Turn microphone on")
    CO_MIC_DESC = Text(
        nb="Behandleren hører deg ikke når mikrofonen er av.",
        nn="Behandlaren høyrer deg ikkje når mikrofonen er av.",
        en="The clinician cannot hear you while the microphone is off.",
    )
    CO_MUTED_NOW = Text(nb="Mikrofonen er av.", nn="Mikrofonen er av.", en="The microphone is off.")
    CO_UNMUTED_NOW = Text(
        nb="Mikrofonen er på.", nn="Mikrofonen er på.", en="The microphone is on."
    )
    CO_CAMERA_OFF = Text(nb="Slå av kameraet", nn="Slå av kameraet", en="Turn camera off")
    CO_CAMERA_ON = Text(nb="Slå på kameraet", nn="Slå på kameraet", en="Turn camera on")
    CO_CAMERA_DESC = Text(
        nb="Behandleren ser deg ikke når kameraet er av.",
        nn="Behandlaren ser deg ikkje når kameraet er av.",
        en="The clinician cannot see you while the camera is off.",
    )
    CO_CAMERA_OFF_NOW = Text(nb="Kameraet er av.", nn="Kameraet er av.", en="The camera is off.")
    CO_CAMERA_ON_NOW = Text(nb="Kameraet er på.", nn="Kameraet er på.", en="The camera is on.")
    CO_HIDE_SELF = Text(
        nb="Skjul bildet av deg", nn="Gøym biletet av deg", en="Hide your own picture"
    )
    CO_SHOW_SELF = Text(nb="Vis bildet av deg", nn="Vis biletet av deg", en="Show your own picture")
    CO_SELF_TOGGLE_DESC = Text(
        nb="Gjelder bare din skjerm. Behandleren ser deg fortsatt.",
        nn="Gjeld berre skjermen din. Behandlaren ser deg framleis.",
        en="Only on your screen. The clinician still sees you.",
    )
    CO_HANG_UP = Text(nb="Legg på", nn="Legg på", en="Hang up")
    CO_HANG_UP_DESC = Text(
        nb="Avslutter videotimen. Du blir spurt først.",
        nn="Avsluttar videotimen. Du blir spurd først.",
        en="Ends the video appointment. You will be asked first.",
    )
    CO_HANG_UP_CONFIRM = Text(
        nb="Vil du avslutte videotimen nå?",
        nn="Vil du avslutte videotimen no?",
        en="Do you want to end the video appointment now?",
    )
    CO_HANG_UP_YES = Text(nb="Ja, avslutt", nn="Ja, avslutt", en="Yes, end it")
    CO_HANG_UP_NO = Text(
        nb="Nei, fortsett samtalen", nn="Nei, hald fram samtalen", en="No, keep talking"
    )
    CO_ENCRYPTED = Text(nb="Kryptert", nn="Kryptert", en="Encrypted")
    CO_ENCRYPTED_DESC = Text(
        nb="Vis detaljer om krypteringen.",
        nn="Vis detaljar om krypteringa.",
        en="Show details about the encryption.",
    )
    CO_NOT_YET_ENCRYPTED = Text(
        nb="Setter opp kryptering …", nn="Set opp kryptering …", en="Setting up encryption …"
    )
    SEED_ENCRYPTED_LINE = Text(
        nb="Alle videotimer fra sykehuset foregår på en kryptert linje. Samtalen (inkludert lyd "
        "og bilde) blir ikke lagret, verken på internett eller på sykehusets servere.",
        nn="Alle videotimar frå sjukehuset går føre seg på ei kryptert line. Samtalen (inkludert "
        "lyd og bilete) blir ikkje lagra, verken på internett eller på serverane til sjukehuset.",
        en="All video appointments from the hospital run over an encrypted line. The "
        "conversation (including sound and picture) is not stored, neither on the internet nor "
        "on the hospital's servers.",
    )
    CO_CIPHER = Text(
        nb="Kryptering: {cipher}", nn="Kryptering: {cipher}", en="Encryption: {cipher}"
    )
    CO_SRTP = Text(
        nb="Lyd og bilde: {profile}",
        nn="Lyd og bilete: {profile}",
        en="Sound and picture: {profile}",
    )
    CO_FINGERPRINT = Text(
        nb="Fingeravtrykk: {fingerprint}",
        nn="Fingeravtrykk: {fingerprint}",
        en="Fingerprint: {fingerprint}",
    )
    CO_FINGERPRINT_OK = Text(
        nb="Fingeravtrykket stemmer.", nn="Fingeravtrykket stemmer.", en="The fingerprint matches."
    )
    CO_FINGERPRINT_BAD = Text(
        nb="Fingeravtrykket kunne ikke kontrolleres.",
        nn="Fingeravtrykket kunne ikkje kontrollerast.",
        en="The fingerprint could not be verified.",
    )
    CO_RECONNECTING = Text(
        nb="Forbindelsen ble brutt. Vi kobler til igjen …",
        nn="Sambandet vart brote. Vi koplar til igjen …",
        en="The connection was lost. Reconnecting …",
    )
    CO_RECONNECTED = Text(
        nb="Forbindelsen er tilbake.", nn="Sambandet er tilbake.", en="The connection is back."
    )
    CO_CHAT = Text(
        nb="Meldinger fra behandleren",
        nn="Meldingar frå behandlaren",
        en="Messages from the clinician",
    )
    CO_CHAT_DESC = Text(
        nb="Nye meldinger leses opp.",
        nn="Nye meldingar blir lesne opp.",
        en="New messages are read out.",
    )
    CO_CHAT_NEW = Text(nb="Ny melding: {text}", nn="Ny melding: {text}", en="New message: {text}")
    CO_HELP = Text(nb="Hjelp", nn="Hjelp", en="Help")
    CO_HELP_DESC = Text(
        nb="Hva du gjør ved tekniske problemer.",
        nn="Kva du gjer ved tekniske problem.",
        en="What to do if you have technical problems.",
    )
    CO_STARTED = Text(
        nb="Samtalen har startet.", nn="Samtalen har starta.", en="The conversation has started."
    )

    # ---------------------------------------------------------------- ended
    EN_TITLE = Text(
        nb="Videotimen er avsluttet",
        nn="Videotimen er avslutta",
        en="The video appointment has ended",
    )
    EN_REASON_YOU = Text(nb="Du la på.", nn="Du la på.", en="You hung up.")
    EN_REASON_CLINICIAN = Text(
        nb="Behandleren avsluttet timen.",
        nn="Behandlaren avslutta timen.",
        en="The clinician ended the appointment.",
    )
    EN_REASON_LEFT_WAITING = Text(
        nb="Du gikk ut av venterommet.",
        nn="Du gjekk ut av venterommet.",
        en="You left the waiting room.",
    )
    EN_REASON_FAILED = Text(
        nb="Videotimen ble brutt. Ring avdelingen som sendte deg innkallingsbrevet.",
        nn="Videotimen vart broten. Ring avdelinga som sende deg innkallingsbrevet.",
        en="The video appointment was interrupted. Call the department that sent you the "
        "appointment letter.",
    )
    SEED_RECORD = Text(
        nb="En videotime dokumenteres i journalen din på samme måte som andre timer. Du kan "
        "lese journalen din ved å logge inn på helsenorge.no.",
        nn="Ein videotime blir dokumentert i journalen din på same måte som andre timar. Du kan "
        "lese journalen din ved å logge inn på helsenorge.no.",
        en="A video appointment is documented in your medical record like other appointments. "
        "You can read your record by logging in to helsenorge.no.",
    )
    SEED_CONFIDENTIAL = Text(
        nb="Selv om du møter behandleren et annet sted enn på sykehuset, gjelder de samme "
        "reglene for taushetsplikt og personvern.",
        nn="Sjølv om du møter behandlaren ein annan stad enn på sjukehuset, gjeld dei same "
        "reglane for teieplikt og personvern.",
        en="Even though you meet the clinician somewhere other than the hospital, the same "
        "rules of confidentiality and privacy apply.",
    )
    EN_PAYMENT = Text(nb="Betaling", nn="Betaling", en="Payment")
    SEED_CHARGE = Text(
        nb="Egenandelen er den samme som ved time med oppmøte på sykehuset. Du får faktura i "
        "etterkant av timen.",
        nn="Eigendelen er den same som ved time med oppmøte på sjukehuset. Du får faktura i "
        "etterkant av timen.",
        en="The patient charge is the same as for an appointment at the hospital. You will get "
        "an invoice after the appointment.",
    )
    SEED_EXEMPT = Text(
        nb="Pasienter med frikort og barn under 16 år betaler ikke egenandel. Ved psykiatrisk "
        "behandling gjelder det barn og ungdom under 18 år.",
        nn="Pasientar med frikort og born under 16 år betaler ikkje eigendel. Ved psykiatrisk "
        "behandling gjeld det born og ungdom under 18 år.",
        en="Patients with an exemption card (frikort) and children under 16 do not pay the "
        "patient charge. In psychiatric treatment this applies to children and young people "
        "under 18.",
    )
    EN_DONE = Text(
        nb="Tilbake til timene dine", nn="Tilbake til timane dine", en="Back to your appointments"
    )
    EN_DONE_DESC = Text(
        nb="Går til startsiden.", nn="Går til startsida.", en="Goes to the start page."
    )

    # ---------------------------------------------------------------- errors
    ERR_TITLE = Text(nb="Noe gikk galt", nn="Noko gjekk gale", en="Something went wrong")
    ERR_UNEXPECTED = Text(
        nb="Det oppstod en uventet feil. Prøv igjen, eller ring avdelingen som sendte deg "
        "innkallingsbrevet.",
        nn="Det oppstod ein uventa feil. Prøv igjen, eller ring avdelinga som sende deg "
        "innkallingsbrevet.",
        en="An unexpected error happened. Try again, or call the department that sent you the "
        "appointment letter.",
    )
