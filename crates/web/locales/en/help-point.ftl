# A help point's page and the "Is something wrong?" form.

hp-address = Address
hp-map-link = View on the map (OpenStreetMap)
hp-phone = Phone: { $phone }
hp-email = E-mail:
hp-website = Website:
hp-hours = Opening hours
hp-holidays = On public holidays this help point is closed, unless stated above.
hp-topics = You can get help here with
hp-partner-hours = Consultation hours of other organisations
hp-bring = What to bring
hp-languages = Languages
hp-languages-text = You can get help here in { $languages }.
hp-access = Accessibility
hp-last-checked = This information was last checked on { $date }.
hp-never-checked = This information has not been checked yet.
hp-search-again = Find another help point

report-heading = Is something wrong?
report-thanks = Thank you. We pass your report on to the help point.
report-intro = Is a time or address wrong? Let us know. Do not write a name or phone number.
report-label = What is wrong?
report-submit = Send report
report-too-long = Write briefly what is wrong (at most { $max } characters).
hp-want-help = I want help: call or e-mail me back
hp-exceptions = Days with different hours
hp-stops = Where is the help point when?
hp-contact = Contact
hp-not-at-address = The help point comes to you. You cannot get help at this address.
hp-next-stop = { $when }, at { $place }
report-paused = keten is being updated. In a few minutes you can report here again what is wrong.
