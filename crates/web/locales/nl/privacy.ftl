# The privacy page: what happens with a resident's data when they are referred (warm referrals).

privacy-referrals-heading = Als u wordt doorverwezen
privacy-referrals-stored-heading = Wat wij bewaren
privacy-referrals-stored = Wij bewaren uw naam, uw telefoonnummer of e-mailadres, wanneer wij u het best kunnen bellen, uw vraag en de vier cijfers van uw postcode. Ook bewaren wij wat er gebeurde: wie u doorverwees, wie u helpt en welke stappen zij zetten.
privacy-referrals-who-heading = Wie uw gegevens ziet
privacy-referrals-who = Alleen de organisatie die u doorverwijst en de organisatie die u helpt. Uw gemeente ziet alleen aantallen, nooit uw naam. Elke keer als iemand uw gegevens bekijkt, schrijven wij op wie dat was en wanneer.
privacy-referrals-consent-heading = U beslist zelf
privacy-referrals-consent = Wij verwijzen u alleen door als u daar ja op zegt. U kiest ook of de organisatie die u doorverwees mag zien hoe het verder gaat.
privacy-referrals-withdraw = Wilt u het niet meer? Dat mag altijd. Zeg het tegen de organisatie die u helpt of die u doorverwees. Dan stopt de doorverwijzing en wissen wij uw gegevens meteen.
privacy-referrals-erase-heading = Wanneer wij uw gegevens wissen
privacy-referrals-erase = Is de hulp klaar? Dan wissen wij uw naam, telefoonnummer, e-mailadres en vraag na { $days } dagen. Uw gemeente kan een ander aantal dagen kiezen. Wat er gebeurde, bewaren wij zonder uw gegevens. Zo kan de gemeente tellen hoe vaak hulp lukt.
privacy-referrals-ask-heading = Uw gegevens zien of laten wissen
privacy-referrals-ask = Wilt u weten welke gegevens wij van u hebben? Of wilt u dat wij ze nu al wissen? Vraag het aan de organisatie die u helpt of die u doorverwees. Zij laten u uw gegevens zien of wissen ze. U hoeft niet te zeggen waarom. U kunt het ook aan uw gemeente vragen.
