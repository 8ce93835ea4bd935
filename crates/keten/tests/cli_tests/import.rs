//! `keten import help-points` with the real binary on a temporary SQLite file: dry run, refusal of a file with
//! errors (nothing stored), import of a good file, and a second import that stores nothing twice.

use keten_core::opening_hours::Region;
use keten_store::Store;
use keten_store::help_points::NewHelpPoint;
use std::path::PathBuf;
use std::process::{Command, Output};

fn keten(database_url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_keten"));
    cmd.env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn");
    cmd
}

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8(out.stdout.clone()).unwrap(),
        String::from_utf8(out.stderr.clone()).unwrap(),
    )
}

fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    stdout
}

fn run_fails(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(
        !out.status.success(),
        "expected failure:\n{stdout}\n{stderr}"
    );
    stdout
}

async fn help_points_in(url: &str) -> Vec<keten_store::help_points::HelpPoint> {
    let store = Store::connect(url).await.unwrap();
    let points = store.directory().await.unwrap().help_points;
    store.close().await;
    points
}

async fn directory_revision(url: &str) -> i64 {
    let store = Store::connect(url).await.unwrap();
    let revision = store.directory_version().await.unwrap().revision;
    store.close().await;
    revision
}

#[tokio::test]
async fn import_help_points_dry_run_refusal_import_and_again() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("keten.db").display());
    run_ok(keten(&url).arg("migrate"));
    run_ok(keten(&url).args([
        "org",
        "add",
        "--name",
        "Bibliotheek Rotterdam",
        "--kind",
        "library",
        "--sector",
        "civil",
        "--municipality",
        "GM0599",
    ]));
    let bad = fixture("help_points_bad.csv");
    let good = fixture("help_points_good.csv");

    // An unknown organisation is refused.
    run_fails(keten(&url).args(["import", "help-points", &good, "--org", "Onbekend"]));

    // Dry run of a file with errors: every error with its line, a summary, a non-zero exit.
    let out = run_fails(keten(&url).args([
        "import",
        "help-points",
        &bad,
        "--org",
        "Bibliotheek Rotterdam",
        "--dry-run",
    ]));
    for expected in [
        "Let op: Regel 1, opmerking: Kolom 'opmerking' kennen we niet",
        "Regel 3, naam: Vul de naam van het hulppunt in.",
        "Regel 3, adres: In 'Hoogstraat' staat geen huisnummer.",
        "Regel 3, postcode: '3011 XYZ' is geen geldige postcode.",
        "Regel 4, openingstijden: Eindtijd 10:00 ligt voor begintijd 12:00.",
        "Regel 4, onderwerpen: Onderwerp 'fietsen' kennen we niet.",
        "Regel 5, naam: Deze regel staat dubbel in het bestand: zelfde naam en postcode als regel 2.",
        "4 regels gelezen, 1 goed, 3 met fouten; niets opgeslagen.",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    // Without --dry-run the same file is refused as a whole: not even its good row is stored.
    let out = run_fails(keten(&url).args([
        "import",
        "help-points",
        &bad,
        "--org",
        "Bibliotheek Rotterdam",
    ]));
    assert!(out.contains("niets opgeslagen"), "{out}");
    assert!(help_points_in(&url).await.is_empty());

    // Dry run of a good file: exit 0, still nothing stored.
    let out = run_ok(keten(&url).args([
        "import",
        "help-points",
        &good,
        "--org",
        "Bibliotheek Rotterdam",
        "--dry-run",
    ]));
    assert!(
        out.contains(
            "3 regels gelezen, 3 goed, 0 met fouten; 3 nieuw; niets opgeslagen (proefrun)."
        ),
        "{out}"
    );
    assert!(help_points_in(&url).await.is_empty());

    // The real import.
    let before = directory_revision(&url).await;
    let out = run_ok(keten(&url).args([
        "import",
        "help-points",
        &good,
        "--org",
        "Bibliotheek Rotterdam",
    ]));
    assert!(
        out.contains("3 regels gelezen, 3 goed, 0 met fouten; 3 nieuw. 3 hulppunten opgeslagen. Organisatie: Bibliotheek Rotterdam."),
        "{out}"
    );
    let points = help_points_in(&url).await;
    assert_eq!(points.len(), 3);
    assert!(
        directory_revision(&url).await > before,
        "the finder sees the change"
    );
    let centrum = points
        .iter()
        .find(|p| p.name == "Bibliotheek Centrum")
        .unwrap();
    assert_eq!(centrum.organisation_name, "Bibliotheek Rotterdam");
    assert_eq!(centrum.postcode, "3011 PV");
    assert_eq!(centrum.city, "Rotterdam");
    assert_eq!(centrum.municipality_code, "GM0599");
    assert_eq!(centrum.municipalities_served, ["GM0599"]);
    assert_eq!(centrum.topics, ["belastingen-toeslagen", "digid"]);
    assert_eq!(centrum.languages, ["nl", "en"]);
    assert_eq!(centrum.hours.weekly.len(), 6);
    assert!(centrum.accessibility.hearing_loop);
    assert_eq!(
        centrum.website.as_deref(),
        Some("https://www.bibliotheek.example")
    );
    let gent = points.iter().find(|p| p.name == "Digipunt Gent").unwrap();
    assert_eq!(gent.city, "Gent");
    assert_eq!(gent.municipality_code, "44021");
    assert_eq!(gent.hours.region, Region::Be);
    assert_eq!(gent.preparation, "Breng uw identiteitskaart mee");

    let revision = directory_revision(&url).await;
    // The same file again: every row "bestaat al" and is unchanged, nothing doubled.
    let out = run_ok(keten(&url).args([
        "import",
        "help-points",
        &good,
        "--org",
        "Bibliotheek Rotterdam",
    ]));
    assert!(
        out.contains(
            "Regel 2: 'Bibliotheek Centrum' (3011 PV) bestaat al bij Bibliotheek Rotterdam. Ongewijzigd."
        ),
        "{out}"
    );
    assert!(
        out.contains("; 3 ongewijzigd. 0 hulppunten opgeslagen."),
        "{out}"
    );
    assert_eq!(help_points_in(&url).await.len(), 3);
    assert_eq!(directory_revision(&url).await, revision, "nothing changed");

    // A file with new hours for one of them changes that help point and only its hours.
    let changed = dir.path().join("changed.csv");
    std::fs::write(
        &changed,
        "naam;adres;postcode;openingstijden\nBibliotheek Centrum;Hoogstraat 110;3011 PV;di 13:00-16:00\n",
    )
    .unwrap();
    let changed = changed.display().to_string();
    let out = run_ok(keten(&url).args([
        "import",
        "help-points",
        &changed,
        "--org",
        "Bibliotheek Rotterdam",
    ]));
    assert!(
        out.contains("bestaat al bij Bibliotheek Rotterdam. Wordt aangepast: openingstijden."),
        "{out}"
    );
    assert!(
        out.contains("; 1 aangepast. 1 hulppunt aangepast."),
        "{out}"
    );
    let points = help_points_in(&url).await;
    assert_eq!(points.len(), 3);
    let after = points
        .iter()
        .find(|p| p.name == "Bibliotheek Centrum")
        .unwrap();
    assert_eq!(after.hours.weekly.len(), 1);
    assert_eq!(
        after.topics, centrum.topics,
        "a column the file lacks stays"
    );
    assert!(directory_revision(&url).await > revision);
    let revision = directory_revision(&url).await;

    // The store's import is one transaction: a failing row (a topic the database does not know) undoes the others.
    let store = Store::connect(&url).await.unwrap();
    let organisation_id = centrum.organisation_id.clone();
    let mut fresh = NewHelpPoint {
        organisation_id: organisation_id.clone(),
        name: "Nieuw punt".into(),
        kind: centrum.kind,
        venue_kind: centrum.venue_kind,
        street_address: "Hoogstraat 1".into(),
        postcode: "3011".into(),
        city: "Rotterdam".into(),
        municipality_code: "GM0599".into(),
        location: centrum.location,
        hours: centrum.hours.clone(),
        preparation: String::new(),
        phone: None,
        email: None,
        website: None,
        languages: vec!["nl".into()],
        accessibility: centrum.accessibility,
        topics: vec!["digid".into()],
        municipalities_served: Vec::new(),
    };
    let mut broken = fresh.clone();
    broken.name = "Kapot punt".into();
    broken.topics = vec!["bestaat-niet".into()];
    assert!(
        store
            .import_help_points(&organisation_id, &[fresh.clone(), broken], 1)
            .await
            .is_err()
    );
    assert_eq!(store.directory().await.unwrap().help_points.len(), 3);
    fresh.name = "Nieuw punt".into();
    assert_eq!(
        store
            .import_help_points(&organisation_id, &[fresh.clone(), fresh], 1)
            .await
            .unwrap(),
        1,
        "a repeated row is stored once"
    );
    assert_eq!(
        store.directory_version().await.unwrap().revision,
        revision + 1
    );
    assert_eq!(store.directory().await.unwrap().help_points.len(), 4);
    store.close().await;
}

async fn question_count(url: &str) -> i64 {
    let store = Store::connect(url).await.unwrap();
    let n = store.count_help_questions().await.unwrap();
    store.close().await;
    n
}

#[tokio::test]
async fn import_questions_with_a_column_mapping_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("k.db").display());
    run_ok(keten(&url).args(["demo", "--questions", "0"]));
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "Wanneer;Onderwerp;Minuten;Kanaal\n02-03-2025;DigiD;15;Telefonisch\n02-03-2025;Astrologie;15;\n31-02-2025;DigiD;10;\n",
    )
    .unwrap();
    let bad = bad.display().to_string();
    // Without a mapping for "Wanneer" the date column is missing.
    let out = run_fails(keten(&url).args([
        "import",
        "questions",
        &bad,
        "--help-point",
        "Centrale Bibliotheek",
    ]));
    assert!(out.contains("Geen kolom voor datum"), "{out}");
    let out = run_fails(keten(&url).args([
        "import",
        "questions",
        &bad,
        "--help-point",
        "Centrale Bibliotheek",
        "--map",
        "datum=Wanneer",
    ]));
    assert!(
        out.contains("Regel 3: Het onderwerp 'Astrologie' kennen we niet"),
        "{out}"
    );
    assert!(out.contains("Regel 4: de datum '31-02-2025'"), "{out}");
    assert!(
        out.contains("3 regels gelezen, 2 met fouten; niets opgeslagen."),
        "{out}"
    );
    assert_eq!(question_count(&url).await, 0);
    // A good workbook: dry run first, then the import.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, h) in ["Datum", "Onderwerp", "Minuten", "Resultaat", "PC4"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, col as u16, *h).unwrap();
    }
    for row in 1..=300u32 {
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(
            2025,
            1 + (row % 12) as u8,
            1 + (row % 28) as u8,
        )
        .unwrap();
        sheet
            .write_datetime_with_format(
                row,
                0,
                &date,
                &rust_xlsxwriter::Format::new().set_num_format("dd-mm-yyyy"),
            )
            .unwrap();
        sheet
            .write_string(row, 1, if row % 2 == 0 { "DigiD" } else { "Bankzaken" })
            .unwrap();
        sheet.write_number(row, 2, f64::from(5 + row % 30)).unwrap();
        sheet.write_string(row, 3, "Opgelost").unwrap();
        sheet.write_string(row, 4, "3011").unwrap();
    }
    let good = dir.path().join("good.xlsx");
    book.save(&good).unwrap();
    let good = good.display().to_string();
    let out = run_ok(keten(&url).args([
        "import",
        "questions",
        &good,
        "--help-point",
        "Centrale Bibliotheek",
        "--dry-run",
    ]));
    assert!(
        out.contains("300 regels gelezen, alle goed; niets opgeslagen (proefrun)."),
        "{out}"
    );
    assert_eq!(question_count(&url).await, 0);
    let out = run_ok(keten(&url).args([
        "import",
        "questions",
        &good,
        "--help-point",
        "Centrale Bibliotheek",
    ]));
    assert!(
        out.contains("300 vragen opgeslagen bij Centrale Bibliotheek."),
        "{out}"
    );
    assert_eq!(question_count(&url).await, 300);
}

#[tokio::test]
async fn kvk_and_kbo_columns_pick_the_organisation() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("keten.db").display());
    run_ok(keten(&url).arg("migrate"));
    let org = |name: &str, municipality: &str, flag: &str, number: &str| {
        let mut cmd = keten(&url);
        cmd.args([
            "org",
            "add",
            "--name",
            name,
            "--kind",
            "library",
            "--sector",
            "civil",
            "--municipality",
            municipality,
            flag,
            number,
        ]);
        cmd
    };
    run_ok(&mut org(
        "Bibliotheek Rotterdam",
        "GM0599",
        "--kvk",
        "6935 2318",
    ));
    run_ok(&mut org(
        "Bibliotheek Gent",
        "44021",
        "--kbo",
        "0203.201.340",
    ));
    let out = run_fails(&mut org("Kapot", "GM0599", "--kbo", "0203.201.341"));
    assert!(out.is_empty(), "error goes to stderr");
    let csv = dir.path().join("punten.csv");
    std::fs::write(
        &csv,
        "naam;adres;postcode;openingstijden;kvk;kbo\n\
         Bieb Noord;Straat 1;3035;ma 10:00-12:00;69352318;\n\
         Bieb Gent;Straat 2;9000;ma 10:00-12:00;;BE0203201340\n\
         Onbekend;Straat 3;3011;ma 10:00-12:00;11112222;\n",
    )
    .unwrap();
    let file = csv.display().to_string();
    let out = run_fails(keten(&url).args(["import", "help-points", &file]));
    assert!(
        out.contains("Regel 4, kvk: Geen organisatie heeft nummer 11112222."),
        "{out}"
    );
    assert!(out.contains("niets opgeslagen"), "{out}");
    assert!(help_points_in(&url).await.is_empty());
    // Without the unknown row and without --org: each row goes to its own organisation.
    let text = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, text.lines().take(3).collect::<Vec<_>>().join("\n")).unwrap();
    let out = run_ok(keten(&url).args(["import", "help-points", &file]));
    assert!(
        out.contains(
            "2 hulppunten opgeslagen. Organisaties: Bibliotheek Gent, Bibliotheek Rotterdam."
        ),
        "{out}"
    );
    let points = help_points_in(&url).await;
    let by_name = |n: &str| {
        points
            .iter()
            .find(|p| p.name == n)
            .unwrap()
            .organisation_name
            .clone()
    };
    assert_eq!(by_name("Bieb Noord"), "Bibliotheek Rotterdam");
    assert_eq!(by_name("Bieb Gent"), "Bibliotheek Gent");
}
