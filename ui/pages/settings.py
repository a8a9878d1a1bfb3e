"""Settings for administrators: the association's details, letterhead, mail server, what
counts as the same demand when statements are merged, and the optional language model."""

import streamlit as st

from positions.analysis import preferences
from positions.core import language_model, settings
from positions.core.language_model import LanguageModelError
from positions.core.settings import Association, LanguageModel, Smtp
from ui import auth, database
from ui.widgets import done, user_errors

actor = auth.signed_in()
st.title("Einstellungen")

with database.reading() as session:
    association = settings.association(session=session)
    smtp = settings.smtp(session=session)

st.subheader("Verband")
with st.form("association"):
    name = st.text_input("Name des Verbands", value=association.name)
    address = st.text_area("Anschrift", value=association.address, height=80)
    register = st.text_input(
        "Nummer im Lobbyregister des Bundestags",
        value=association.register_number,
        placeholder="R00…",
        help="Steht auf Papieren an den Bundestag und die Bundesregierung.",
    )
    about = st.text_area(
        "Über uns",
        value=association.about,
        height=100,
        max_chars=settings.MAX_ABOUT_LENGTH,
        placeholder="Der Verband vertritt … Unternehmen mit … Beschäftigten in …",
        help="Zwei, drei Sätze über den Verband; sie stehen klein am Ende jedes Papiers, "
        "mit der Anschrift und der Nummer im Lobbyregister.",
    )
    base_url = st.text_input(
        "Adresse der Anwendung (für die Links in E-Mails)",
        value=association.base_url,
        help="So erreichen Ihre Mitglieder Positionen, z. B. https://positionen.verband.de",
    )
    if st.form_submit_button("Speichern", type="primary"):
        with user_errors(), database.writing() as session:
            settings.save_association(
                session=session,
                actor=actor,
                values=Association(
                    name=name,
                    address=address,
                    register_number=register,
                    base_url=base_url,
                    about=about,
                ),
            )
        done("Angaben gespeichert.")

st.subheader("Briefkopf der Word-Dokumente")
with database.reading() as session:
    colour = settings.accent_colour(session=session)
    has_logo = settings.logo_sha256(session=session) is not None
with st.form("letterhead"):
    chosen = st.color_picker("Farbe für Überschriften und Tabellen", value=f"#{colour}")
    logo = st.file_uploader("Logo (PNG oder JPEG, höchstens 2 MB)")
    remove = has_logo and st.checkbox("Logo entfernen")
    if st.form_submit_button("Briefkopf speichern"):
        with user_errors(), database.writing() as session:
            settings.save_letterhead(
                session=session,
                actor=actor,
                colour=chosen,
                logo=(logo.name, logo.getvalue()) if logo else None,
                remove_logo=bool(remove),
            )
        done("Briefkopf gespeichert.")

st.subheader("E-Mail-Versand")
st.caption(
    "Ohne Mailserver erstellt Positionen die Einladungen und Erinnerungen als Text zum "
    "Kopieren, mit einem Link für Ihr E-Mail-Programm."
)
with st.form("smtp"):
    host_column, port_column = st.columns([3, 1])
    host = host_column.text_input("Mailserver (SMTP)", value=smtp.host if smtp else "")
    port = port_column.number_input(
        "Port", min_value=1, max_value=65535, value=smtp.port if smtp else 587
    )
    starttls = st.checkbox("Verschlüsselt mit STARTTLS", value=smtp.starttls if smtp else True)
    user_column, password_column = st.columns(2)
    user = user_column.text_input("Benutzername", value=smtp.user if smtp else "")
    password = password_column.text_input(
        "Passwort", type="password", placeholder="unverändert" if smtp and smtp.password else ""
    )
    sender = st.text_input("Absenderadresse", value=smtp.sender if smtp else "")
    save_column, remove_column = st.columns(2)
    save = save_column.form_submit_button("Mailserver speichern", type="primary")
    remove = remove_column.form_submit_button("Ohne Mailserver arbeiten")
if save:
    with user_errors(), database.writing() as session:
        settings.save_smtp(
            session=session,
            actor=actor,
            values=Smtp(
                host=host.strip(),
                port=int(port),
                starttls=starttls,
                user=user.strip(),
                # An empty field keeps the stored password; it is never shown again.
                password=password or (smtp.password if smtp else ""),
                sender=sender.strip(),
            ),
        )
    done("Mailserver gespeichert.")
if remove:
    with user_errors(), database.writing() as session:
        settings.save_smtp(session=session, actor=actor, values=None)
    done("E-Mails werden ab jetzt von Hand verschickt.")

st.subheader("Vorstandsfreigabe")
with database.reading() as session:
    quorum = settings.approval_quorum(session=session)
with st.form("approval"):
    chosen_quorum = st.number_input(
        "Wie viele Vorstandsmitglieder müssen ein Papier freigeben?",
        min_value=1,
        max_value=20,
        value=quorum,
        step=1,
    )
    st.caption(
        "Eine Ablehnung schickt das Papier sofort in den Entwurf zurück. Freigaben gelten "
        "für eine Fassung; wird der Text danach geändert, werden sie ungültig."
    )
    if st.form_submit_button("Speichern"):
        with user_errors(), database.writing() as session:
            settings.save_approval_quorum(session=session, actor=actor, value=int(chosen_quorum))
        done("Einstellung gespeichert.")

st.subheader("Zusammenführen")
with database.reading() as session:
    threshold = preferences.duplicate_threshold(session=session)
with st.form("merging"):
    chosen_threshold = st.slider(
        "Ab welcher Ähnlichkeit gelten Punkte als dieselbe Forderung?",
        min_value=preferences.LOWEST_DUPLICATE_THRESHOLD,
        max_value=preferences.HIGHEST_DUPLICATE_THRESHOLD,
        value=threshold,
        step=0.01,
        format="%.2f",
    )
    st.caption(
        "Gleiche Forderungen werden zu einem Punkt mit Mitzeichnern zusammengefasst. Bei 0,85 "
        "(empfohlen) gelten „Der Bund muss die Förderprogramme für Zulieferer vereinfachen.“ "
        "und „Aus unserer Sicht sollte der Bund die Förderprogamme für Zulieferer unbedingt "
        "vereinfachen!“ als dieselbe Forderung (Füllwörter, Tippfehler, Satzstellung), ebenso "
        "ein zusätzliches Wort in einem Satz mit sieben Inhaltswörtern. Nie zusammengefasst "
        "werden Punkte mit anderem Adressaten („Das Land muss …“), anderen Zahlen („bis "
        "2035“ statt „bis 2030“) oder einer Verneinung. Höhere Werte fassen nur noch Kopien "
        "und Tippfehler zusammen; ähnliche, aber anders formulierte Forderungen ordnet die "
        "Analyse ohnehin demselben Thema zu. Die Änderung gilt ab der nächsten Analyse."
    )
    if st.form_submit_button("Speichern"):
        with user_errors(), database.writing() as session:
            preferences.save_duplicate_threshold(
                session=session, actor=actor, value=chosen_threshold
            )
        done("Einstellung gespeichert; sie gilt ab der nächsten Analyse.")

st.subheader("Sprachmodell (optional)")
st.caption(
    "Ein Sprachmodell auf einem Rechner des Verbands (Ollama, vLLM oder llama.cpp-Server mit "
    "OpenAI-kompatibler Schnittstelle) kann beim Zusammenführen Themen benennen, "
    "zusammenfassen und Absätze entwerfen, in denen jeder Satz seine Punkte belegt. Ohne "
    "Modell funktioniert alles wie bisher, und es wird nichts gesendet. Namen von "
    "Mitgliedern gehen nie an das Modell."
)
with database.reading() as session:
    model = settings.language_model(session=session)
with st.form("language_model"):
    model_url = st.text_input(
        "Adresse des Modells",
        value=model.base_url if model else "",
        placeholder="http://127.0.0.1:11434/v1",
        help="Die Basisadresse der OpenAI-kompatiblen Schnittstelle, meist mit /v1 am Ende; "
        "Anfragen gehen an …/chat/completions. Nur Rechner im Haus eintragen.",
    )
    model_name = st.text_input(
        "Modell", value=model.model if model else "", placeholder="llama3.1:8b"
    )
    key_column, timeout_column = st.columns([3, 1])
    api_key = key_column.text_input(
        "API-Schlüssel (falls der Dienst einen verlangt)",
        type="password",
        placeholder="gesetzt – leer lassen, um ihn zu behalten" if model and model.api_key else "",
    )
    timeout = timeout_column.number_input(
        "Wartezeit (Sekunden)",
        min_value=int(settings.LOWEST_MODEL_TIMEOUT),
        max_value=int(settings.HIGHEST_MODEL_TIMEOUT),
        value=int(model.timeout_seconds) if model else 60,
    )
    forget_key = False
    if model and model.api_key:
        st.caption("API-Schlüssel: gesetzt")
        forget_key = st.checkbox("API-Schlüssel entfernen")
    send_internal = st.checkbox(
        "„nur intern“-Stellungnahmen an das Modell senden erlaubt",
        value=model.send_internal if model else False,
        help="Aus: Punkte aus Stellungnahmen „nur intern“ gehen nie an das Modell; sie werden "
        "als „nicht verarbeitet“ aufgeführt.",
    )
    send_anonymous = st.checkbox(
        "Anonyme Stellungnahmen an das Modell senden erlaubt (immer ohne Namen)",
        value=model.send_anonymous if model else False,
        help="Aus: Punkte aus anonymen Stellungnahmen gehen nie an das Modell. An: nur ihr "
        "Text, nie der Name des Mitglieds.",
    )
    save_column, test_column, off_column = st.columns(3)
    save_model = save_column.form_submit_button("Sprachmodell speichern", type="primary")
    test_model = test_column.form_submit_button("Verbindung testen")
    no_model = off_column.form_submit_button("Ohne Sprachmodell arbeiten")
entered = LanguageModel(
    base_url=model_url.strip(),
    model=model_name.strip(),
    # An empty field keeps the stored key; it is never shown again.
    api_key="" if forget_key else api_key.strip() or (model.api_key if model else ""),
    timeout_seconds=float(timeout),
    send_internal=send_internal,
    send_anonymous=send_anonymous,
)
if save_model:
    with user_errors(), database.writing() as session:
        settings.save_language_model(session=session, actor=actor, values=entered)
    done("Sprachmodell gespeichert.")
if test_model:
    # The address as entered, before saving; the test sends no statement text.
    try:
        if not entered.base_url or not entered.model:
            raise LanguageModelError(
                "Bitte geben Sie Adresse und Modell an.", reason="incomplete settings"
            )
        st.success(language_model.check_connection(entered), icon=":material/check_circle:")
    except LanguageModelError as error:
        st.error(error.message, icon=":material/cloud_off:")
if no_model:
    with user_errors(), database.writing() as session:
        settings.save_language_model(session=session, actor=actor, values=None)
    done("Positionen arbeitet ab jetzt ohne Sprachmodell.")
