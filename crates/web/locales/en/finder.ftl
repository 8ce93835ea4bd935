# The help finder: search form, results, embedding.

finder-title = Help with digital matters nearby
finder-title-results = Help near you
finder-heading = Help with digital matters, near you
finder-intro = Is something not working on your computer or phone? For example your tax return, DigiD or online banking? At the library and other places, people help you. It is free.
finder-place-label = Your postcode or town
finder-place-hint = For example 3011 AB, Rotterdam or Gent.
finder-topic-label = What do you need help with? (optional)
finder-topic-all = Everything
finder-topic-group = { $topic } (all)
finder-more = More choices
finder-when = When do you want to go?
finder-when-any = Any time
finder-when-today = Today
finder-when-week = This week
finder-step-free = No stairs (for wheelchair or walker)
finder-language = Help in another language
finder-language-any = Any language
finder-submit = Find help
finder-did-you-mean = Did you mean:
finder-check-spelling = Check that you typed the postcode correctly. Or try the name of your town.
finder-results-heading = Help near { $place }
finder-no-results = We found no help point that matches your choices. Try fewer choices, or choose "Everything" as the topic. You can also call your municipality.
finder-nothing-near = We found no help point within { $km } km of { $place } that matches your choices. Ask your municipality or the library where you can get help. They know the places near you.
finder-walking = About { $km } km walk
finder-helps-with = Helps with: { $topics }
finder-partner-hours = Consultation hours of other organisations here:
finder-share-heading = Keep or share this list
finder-share-text = Print this page: then you have the addresses and times on paper. Or send the link of this page to someone else:
map-label = Map with the places from the list. The list gives the same information.

place-with-municipality = { $place } (municipality of { $municipality })
place-unknown = We do not know this place or postcode. Check the spelling. You can also try a postcode with 4 digits, such as 3011.
place-unknown-suggestions = We do not know this place or postcode. Did you mean: { $suggestions }?
topic-unknown = Choose a topic from the list.

embed-title = Find help with digital matters
embed-heading = Help with digital matters
embed-heading-in = Help with digital matters in { $municipality }
embed-intro = You see help points for residents of { $municipality }.
embed-code-title = The help finder on your own website
embed-code-intro = Municipalities, libraries and partners can put this help finder on their own website. Choose the municipality and, if you like, a topic. Then copy the code below to your website. The help finder also works without JavaScript.
embed-code-municipality = Municipality (code)
embed-code-municipality-hint = CBS code such as GM0599 (Rotterdam) or NIS code such as 44021 (Gent).
embed-code-topic = Topic (optional)
embed-code-submit = Make the code
embed-code-result = Your code
embed-code-copy = Copy this code to the page on your website:
embed-code-preview = See what it looks like
embed-municipality-unknown = We do not know this municipality code. Use a CBS code such as GM0599 or a NIS code such as 44021.
embed-topic-unknown = Choose a topic from the list.
embed-snippet-title = Find help with digital matters in { $municipality }
embed-snippet-link = Find help with digital matters in { $municipality }

status-temporarily-closed = Temporarily closed
status-reopens-on = Open again from { $date }.
status-reopens-unknown = We do not know yet when it opens again.
