# De schil van elke pagina: kop, menu, voettekst, foutpagina's.
# Sleutels zijn in alle talen gelijk; vertaal alleen de tekst na "=".

# De naam van deze taal in deze taal (voor de taalkeuze).
language-name = Nederlands

shell-skip-link = Direct naar de inhoud
shell-tagline = hulp bij digitale zaken
shell-main-menu = Hoofdmenu
shell-find-help = Hulp zoeken
shell-staff-sign-in = Inloggen voor medewerkers
shell-footer-about = keten is open source software van en voor gemeenten, bibliotheken en hun partners (EUPL-1.2).
shell-accessibility = Toegankelijkheid
shell-privacy = Privacy
shell-open-data = Gegevens voor websites en systemen

error-home-link = Naar de startpagina
error-not-found-heading = Pagina niet gevonden
error-not-found = Deze pagina bestaat niet, of u mag hem niet zien.
error-forbidden-heading = Geen toegang
error-forbidden = U heeft geen toegang tot deze pagina.
error-rate-limited-heading = Even wachten
error-rate-limited = Te veel mislukte pogingen. Wacht 15 minuten en probeer het dan opnieuw.
error-internal-heading = Er ging iets mis
error-internal = Er ging iets mis bij ons. Probeer het later opnieuw.
error-updating-heading = Even geduld
error-updating = keten wordt bijgewerkt. Over een paar minuten kunt u verder. Probeer het dan opnieuw.
error-form-expired-heading = Formulier verlopen
error-form-expired = Dit formulier is verlopen of niet door keten gemaakt. Ga terug, laad de pagina opnieuw en probeer het nog eens.

about-accessibility-1 = Iedereen moet deze website kunnen gebruiken. Ook als u slecht ziet, alleen een toetsenbord gebruikt of een oude telefoon heeft. Wij houden ons aan de regels van WCAG 2.2, niveau AA.
about-accessibility-2 = De website werkt ook zonder JavaScript. U kunt de tekst groter maken met uw browser. Elke pagina kunt u printen.
about-accessibility-3 = Werkt iets niet goed voor u? Vraag dan hulp bij een hulppunt of meld het bij uw gemeente.
about-privacy-1 = Als u hulp zoekt, hoeft u geen naam of e-mailadres te geven. Wij bewaren niet wie u bent.
about-privacy-2 = Hulppunten tellen hoeveel vragen zij krijgen en waarover. Dat doen zij zonder uw naam. Zo weet uw gemeente waar hulp nodig is.
about-privacy-3 = Vraagt u zelf om hulp, of verwijst iemand u door? Dan geeft u toestemming. Alleen de organisaties die u helpen zien uw gegevens. Wij wissen ze als de hulp klaar is.
