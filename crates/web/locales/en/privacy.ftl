# The privacy page: what happens with a resident's data when they are referred (warm referrals).

privacy-referrals-heading = If you are referred
privacy-referrals-stored-heading = What we keep
privacy-referrals-stored = We keep your name, your phone number or e-mail address, when it is best to call you, your question and the four digits of your postcode. We also keep what happened: who referred you, who helps you and which steps they take.
privacy-referrals-who-heading = Who sees your details
privacy-referrals-who = Only the organisation that refers you and the organisation that helps you. Your municipality only sees numbers, never your name. Every time someone looks at your details, we write down who it was and when.
privacy-referrals-consent-heading = You decide
privacy-referrals-consent = We only refer you if you say yes. You also choose whether the organisation that referred you may see how things go.
privacy-referrals-withdraw = Do you no longer want this? That is always fine. Tell the organisation that helps you or that referred you. Then the referral stops and we delete your details at once.
privacy-referrals-erase-heading = When we delete your details
privacy-referrals-erase = Is the help finished? Then we delete your name, phone number, e-mail address and question after { $days } days. Your municipality can choose a different number of days. We keep what happened without your details. So the municipality can count how often help works.
privacy-referrals-ask-heading = See your details or have them deleted
privacy-referrals-ask = Do you want to know which details we have about you? Or do you want us to delete them now? Ask the organisation that helps you or that referred you. They show you your details or delete them. You do not have to say why. You can also ask your municipality.
