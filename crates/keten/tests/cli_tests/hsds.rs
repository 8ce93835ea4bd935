//! `keten export hsds`, `keten validate hsds` and `keten import hsds` with the real binary: the demo directory's
//! export validates against the official HSDS 3.0 table schemas; export -> import into an empty database -> export
//! gives the same files (SQLite and PostgreSQL); a dry run stores nothing; the official examples (shared/hsds beside
//! the repository) import without error; a package with broken rows reports each row and stores nothing; an import
//! that changes the municipalities a help point serves moves its questions in the steering rollups.

use crate::cli::postgres_database;
use keten_store::Store;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn keten(database_url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_keten"));
    cmd.env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn");
    cmd
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out: Output = cmd.output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    (out.status.success(), format!("{stdout}\n{stderr}"))
}

fn run_ok(cmd: &mut Command) -> String {
    let (ok, text) = run(cmd);
    assert!(ok, "{text}");
    text
}

fn run_fails(cmd: &mut Command) -> String {
    let (ok, text) = run(cmd);
    assert!(!ok, "expected failure:\n{text}");
    text
}

fn official_examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/hsds/examples/csv")
}

async fn counts(url: &str) -> (usize, usize, i64, usize) {
    let store = Store::connect(url).await.unwrap();
    let d = store.directory().await.unwrap();
    let revision = store.directory_version().await.unwrap().revision;
    store.close().await;
    (
        d.help_points.len(),
        d.consultation_hours.len(),
        revision,
        d.stops.len(),
    )
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

fn lines(dir: &Path, file: &str) -> usize {
    read(dir, file).lines().count()
}

/// Hours with every kind of dated exception, for one Dutch demo help point (a Flemish one would read its stops'
/// postcodes as Belgian).
const HOURS_WITH_EXCEPTIONS: &str = r#"{"weekly":[{"weekday":"mon","start":"10:00","end":"12:30"},{"weekday":"mon","start":"13:30","end":"16:00"},{"weekday":"thu","start":"10:00","end":"12:30"}],"exceptions":[{"from":"2026-12-24","to":"2027-01-01","kind":"closed","reason":"Kerstvakantie"},{"from":"2027-03-01","to":"2027-04-30","kind":"extra","slots":[{"start":"18:00","end":"20:00"},{"start":"09:00","end":"10:00"}],"reason":"Belastingaangifte"},{"from":"2027-05-05","to":"2027-05-05","kind":"open_only","slots":[{"start":"13:00","end":"15:00"}]}],"region":"NL","closed_on_public_holidays":false}"#;

/// A bus stop on Wednesdays and the last Friday of the month, and a one-day pop-up, for the same demo help point.
const STOPS: &str = r#"INSERT INTO help_point_stops (id, help_point_id, place_name, street_address, postcode, lat, lon, hours) VALUES
('6a0f3d52-8d0e-4c1e-9a55-0c3b1f0e7a01', (SELECT id FROM help_points WHERE name = 'Centrale Bibliotheek'), 'Buurthuis De Boog', 'Boogstraat 1', '3025 AB', 51.9112, 4.4461,
 '{"weekly":[{"weekday":"wed","start":"13:00","end":"15:00"}],"monthly":[{"week":-1,"weekday":"fri","start":"10:00","end":"12:00"}],"exceptions":[],"region":"NL","closed_on_public_holidays":true}'),
('6a0f3d52-8d0e-4c1e-9a55-0c3b1f0e7a02', (SELECT id FROM help_points WHERE name = 'Centrale Bibliotheek'), 'Markt Schiedam', 'Grote Markt 1', '3111 NG', 51.9170, 4.3990,
 '{"weekly":[],"exceptions":[{"from":"2026-03-04","to":"2026-03-04","kind":"open_only","slots":[{"start":"10:00","end":"12:00"}],"reason":"Markt Schiedam"}],"region":"NL","closed_on_public_holidays":true}')"#;

/// Monthly hours for one demo consultation hour: the first Tuesday besides its weekly hour.
const MONTHLY_HOURS: &str = r#"{"weekly":[{"weekday":"thu","start":"13:00","end":"15:00"}],"monthly":[{"week":1,"weekday":"tue","start":"10:00","end":"12:00"},{"week":3,"weekday":"tue","start":"10:00","end":"12:00"}],"exceptions":[],"region":"NL","closed_on_public_holidays":true}"#;

/// Loads the demo into a SQLite file and exports it; returns the export's folder.
const LIBRARY_KVK: &str = "41135289";

/// The demo export with the device bank's lending and the data offers.
async fn demo_export(tmp: &Path) -> PathBuf {
    demo_export_of(tmp, true).await
}

/// The demo export; without `access`, the offers are ended and Rotterdam has no device bank (an import keeps
/// neither, so only then does export -> import -> export give the same files).
async fn demo_export_of(tmp: &Path, access: bool) -> PathBuf {
    let url = format!("sqlite://{}", tmp.join("demo.db").display());
    run_ok(keten(&url).args(["demo", "--questions", "0"]));
    let store = Store::connect(&url).await.unwrap();
    store
        .execute_raw(&format!(
            "UPDATE help_points SET hours = '{HOURS_WITH_EXCEPTIONS}' \
             WHERE id = (SELECT id FROM help_points WHERE name = 'Centrale Bibliotheek')"
        ))
        .await
        .unwrap();
    store.execute_raw(STOPS).await.unwrap();
    // A KvK number, published as an organization identifier and matched on import.
    store
        .execute_raw(&format!(
            "UPDATE organisations SET kvk_number = '{LIBRARY_KVK}' WHERE name = 'Bibliotheek Rotterdam'"
        ))
        .await
        .unwrap();
    store
        .execute_raw(&format!(
            "UPDATE consultation_hours SET hours = '{MONTHLY_HOURS}' \
             WHERE id = (SELECT MIN(c.id) FROM consultation_hours c JOIN help_points h ON h.id = c.help_point_id \
             WHERE h.name = 'Centrale Bibliotheek')"
        ))
        .await
        .unwrap();
    if !access {
        store
            .execute_raw("UPDATE data_offers SET ended_at = 1")
            .await
            .unwrap();
        store
            .execute_raw("DELETE FROM device_bank_settings")
            .await
            .unwrap();
    }
    store.close().await;
    let out = tmp.join("demo-export");
    let text = run_ok(keten(&url).arg("export").arg("hsds").arg(&out));
    assert!(text.contains("HSDS 3.0"), "{text}");
    out
}

#[tokio::test]
async fn the_demo_export_validates_with_no_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let out = demo_export(tmp.path()).await;
    assert!(read(&out, "schedules.csv").contains("Kerstvakantie"));
    // Stops are locations of their own with their own address, point and hours; monthly hours are MONTHLY.
    let locations = read(&out, "locations.csv");
    assert!(
        locations.contains("6a0f3d52-8d0e-4c1e-9a55-0c3b1f0e7a01,physical,,"),
        "{locations}"
    );
    assert!(
        locations.contains(",Buurthuis De Boog,") && locations.contains(",51.9112,4.4461"),
        "{locations}"
    );
    assert!(read(&out, "addresses.csv").contains("Boogstraat 1"));
    let schedules = read(&out, "schedules.csv");
    assert!(
        schedules.contains(",MONTHLY,")
            && schedules.contains(",\"1TU,3TU\",")
            && schedules.contains(",-1FR,"),
        "{schedules}"
    );
    for file in [
        "organizations.csv",
        "services.csv",
        "locations.csv",
        "service_at_location.csv",
        "addresses.csv",
        "schedules.csv",
        "taxonomies.csv",
        "taxonomy_terms.csv",
        "attributes.csv",
        "languages.csv",
        "accessibility.csv",
    ] {
        assert!(lines(&out, file) > 1, "{file} has no rows");
    }
    assert!(out.join("datapackage.json").is_file());
    // Columns follow the official schema's order.
    assert!(read(&out, "locations.csv").starts_with("id,location_type,url,organization_id,name,"));
    let text = run_ok(
        Command::new(env!("CARGO_BIN_EXE_keten"))
            .args(["validate", "hsds"])
            .arg(&out),
    );
    assert!(text.contains(": 0 fout(en)"), "{text}");
    assert!(text.contains("voldoet aan HSDS 3.0"), "{text}");
    // The device bank's lending and the data offers are services with their cost options.
    let services = read(&out, "services.csv");
    assert!(
        services.contains("Laptop, tablet of telefoon lenen bij Centrale Bibliotheek"),
        "{services}"
    );
    assert!(
        services.contains("Simkaart met data: Stichting Sociaal Internet (demo)"),
        "{services}"
    );
    assert!(services.contains("Sociaal tarief van een provider: Telecombedrijf Rijnmond (demo)"));
    let costs = read(&out, "cost_options.csv");
    assert!(costs.contains(",Prijs per maand,EUR,10,"), "{costs}");
    assert!(costs.contains(",Borg,EUR,"), "{costs}");
    // An import leaves them out without an error: keten keeps them itself.
    let url = format!("sqlite://{}", tmp.path().join("import.db").display());
    run_ok(keten(&url).arg("migrate"));
    let text = run_ok(keten(&url).args(["import", "hsds", "--dry-run"]).arg(&out));
    assert!(text.contains("niets opgeslagen"), "{text}");
    assert!(!text.contains("cost_option"), "{text}");
}

/// Export -> dry run (nothing stored) -> import into an empty database -> export gives the same files.
async fn roundtrip(url: &str, tmp: &Path, first: &Path) {
    run_ok(keten(url).arg("migrate"));
    let before = counts(url).await;
    assert_eq!((before.0, before.1), (0, 0));
    let text = run_ok(keten(url).args(["import", "hsds", "--dry-run"]).arg(first));
    assert!(text.contains("niets opgeslagen"), "{text}");
    assert_eq!(counts(url).await, before, "a dry run stored something");

    let text = run_ok(keten(url).args(["import", "hsds"]).arg(first));
    assert!(text.contains("Opgeslagen"), "{text}");
    let after = counts(url).await;
    // The demo bus's stops and the two this test adds.
    let demo_stops = keten_core::demo::demo_stops(jiff::civil::Date::constant(2026, 1, 1)).len();
    assert_eq!(after.3, demo_stops + 2, "the stops came back");
    assert_eq!(after.0, lines(first, "locations.csv") - 1 - after.3);
    assert!(after.1 > 0, "no consultation hours imported");
    assert!(after.2 > before.2, "the directory revision did not move");

    let second = tmp.join("second-export");
    run_ok(keten(url).arg("export").arg("hsds").arg(&second));
    let mut files: Vec<String> = std::fs::read_dir(first)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert!(files.len() > 20, "{files:?}");
    for file in &files {
        assert_eq!(
            read(first, file),
            read(&second, file),
            "{file} differs after the roundtrip"
        );
    }

    // Importing the same package again updates, it does not duplicate.
    let text = run_ok(keten(url).args(["import", "hsds"]).arg(first));
    assert!(text.contains("hulppunten 0 nieuw"), "{text}");
    assert!(
        text.contains(&format!("haltes 0 nieuw en {} bijgewerkt", demo_stops + 2)),
        "{text}"
    );
    assert_eq!(counts(url).await.0, after.0);
}

#[tokio::test]
async fn an_organisation_is_matched_by_its_kvk_number_on_import() {
    let tmp = tempfile::tempdir().unwrap();
    let package = demo_export(tmp.path()).await;
    assert!(read(&package, "organization_identifiers.csv").contains(LIBRARY_KVK));
    let url = format!("sqlite://{}", tmp.path().join("other.db").display());
    run_ok(keten(&url).arg("migrate"));
    run_ok(keten(&url).args([
        "org",
        "add",
        "--name",
        "Stichting Openbare Bibliotheek",
        "--kind",
        "library",
        "--sector",
        "civil",
        "--municipality",
        "GM0599",
        "--kvk",
        LIBRARY_KVK,
    ]));
    run_ok(keten(&url).args(["import", "hsds"]).arg(&package));
    let store = Store::connect(&url).await.unwrap();
    let found = store
        .organisations_with_identifier(Some(LIBRARY_KVK), None)
        .await
        .unwrap();
    store.close().await;
    assert_eq!(found.len(), 1, "matched, not created twice: {found:?}");
    assert_eq!(found[0].1, "Bibliotheek Rotterdam", "the package's name");
}

#[tokio::test]
async fn export_import_export_roundtrips_on_sqlite() {
    let tmp = tempfile::tempdir().unwrap();
    let first = demo_export_of(tmp.path(), false).await;
    let url = format!("sqlite://{}", tmp.path().join("empty.db").display());
    roundtrip(&url, tmp.path(), &first).await;
}

#[tokio::test]
async fn export_import_export_roundtrips_on_postgres() {
    let Some(url) = postgres_database("roundtrip").await else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let first = demo_export_of(tmp.path(), false).await;
    roundtrip(&url, tmp.path(), &first).await;
}

#[tokio::test]
async fn the_official_examples_import_without_error() {
    let examples = official_examples();
    assert!(
        examples.join("organizations.csv").is_file(),
        "{} missing (is shared/ beside the repository?)",
        examples.display()
    );
    let tmp = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", tmp.path().join("keten.db").display());
    run_ok(keten(&url).arg("migrate"));
    let text = run_ok(
        keten(&url)
            .args(["import", "hsds", "--dry-run"])
            .arg(&examples),
    );
    assert!(!text.contains("Fout:"), "{text}");
    let text = run_ok(keten(&url).args(["import", "hsds"]).arg(&examples));
    assert!(!text.contains("Fout:"), "{text}");
    // Its one address is in the US: reported clearly, not stored.
    assert!(
        text.contains("buiten Nederland en België (land 'US')"),
        "{text}"
    );
    assert_eq!(counts(&url).await.0, 0);
    // The validator reads it too, and finds its broken references.
    let text = run_fails(
        Command::new(env!("CARGO_BIN_EXE_keten"))
            .args(["validate", "hsds"])
            .arg(&examples),
    );
    assert!(
        text.contains("locations.csv regel 2, kolom organization_id"),
        "{text}"
    );
}

/// Replaces `from` by `to` in the first data row of `file` from the `n`th on (1 = first after the header) that
/// holds it; returns the CSV line changed (the header is line 1).
fn break_row(dir: &Path, file: &str, n: usize, from: &str, to: &str) -> usize {
    let text = read(dir, file);
    let mut rows: Vec<String> = text.lines().map(str::to_owned).collect();
    let i = (n..rows.len())
        .find(|&i| rows[i].contains(from))
        .unwrap_or_else(|| panic!("{file}: no row from {n} holds {from}"));
    rows[i] = rows[i].replacen(from, to, 1);
    std::fs::write(dir.join(file), rows.join("\n") + "\n").unwrap();
    i + 1
}

async fn broken_rows(url: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_export(tmp.path()).await;
    let status_line = break_row(&dir, "services.csv", 2, ",active,", ",open,");
    let addresses = read(&dir, "addresses.csv");
    let second = addresses.lines().nth(2).unwrap().to_owned();
    let postcode = second.split(',').nth(8).unwrap().to_owned();
    let postcode_line = break_row(
        &dir,
        "addresses.csv",
        2,
        &format!(",{postcode},"),
        ",0000 ZZ,",
    );
    let freq_line = break_row(&dir, "schedules.csv", 3, ",WEEKLY,", ",DAILY,");

    run_ok(keten(url).arg("migrate"));
    let before = counts(url).await;
    let text = run_fails(keten(url).args(["import", "hsds"]).arg(&dir));
    for expected in [
        format!(
            "Fout: services.csv regel {status_line}, kolom status: 'open' is geen toegestane waarde"
        ),
        format!(
            "Fout: addresses.csv regel {postcode_line}, kolom postal_code: postcode '0000 ZZ' kennen we niet"
        ),
        format!(
            "Fout: schedules.csv regel {freq_line}, kolom freq: 'DAILY' is geen toegestane waarde"
        ),
    ] {
        assert!(text.contains(&expected), "{expected}\n{text}");
    }
    assert!(text.contains("niets opgeslagen"), "{text}");
    assert_eq!(
        counts(url).await,
        before,
        "a package with errors stored something"
    );

    let text = run_fails(
        Command::new(env!("CARGO_BIN_EXE_keten"))
            .args(["validate", "hsds"])
            .arg(&dir),
    );
    assert!(
        text.contains(&format!("services.csv regel {status_line}, kolom status")),
        "{text}"
    );
}

#[tokio::test]
async fn broken_rows_are_reported_and_nothing_is_stored_on_sqlite() {
    let tmp = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", tmp.path().join("keten.db").display());
    broken_rows(&url).await;
}

#[tokio::test]
async fn broken_rows_are_reported_and_nothing_is_stored_on_postgres() {
    let Some(url) = postgres_database("broken").await else {
        return;
    };
    broken_rows(&url).await;
}

/// Questions of Schiedam's chain in the month rollups (the row that sums it), read as text rows.
fn schiedam_questions(rows: &[Vec<String>]) -> i64 {
    rows.iter()
        .filter(|r| r[0] == "month" && r[1] == "all" && r[3] == "@GM0606")
        .map(|r| r[5].parse::<i64>().unwrap())
        .sum()
}

/// Delfshaven (Rotterdam) also serves Schiedam; the demo's export does not carry that, so importing it back stops
/// Delfshaven serving Schiedam, and Schiedam's rows lose Delfshaven's questions, as a rebuild from the raw rows has
/// them.
async fn an_import_moves_questions_between_municipalities(url: &str, tmp: &Path) {
    run_ok(keten(url).args(["demo", "--questions", "3000"]));
    let store = Store::connect(url).await.unwrap();
    store
        .execute_raw(
            "INSERT INTO help_point_municipalities (help_point_id, municipality_code) \
             SELECT id, 'GM0606' FROM help_points WHERE name = 'Bibliotheek Delfshaven'",
        )
        .await
        .unwrap();
    store.rebuild_rollups().await.unwrap();
    let serving = schiedam_questions(&store.rollup_rows().await.unwrap());
    let out = tmp.join("export");
    run_ok(keten(url).arg("export").arg("hsds").arg(&out));
    run_ok(keten(url).args(["import", "hsds"]).arg(&out));
    let kept = store.rollup_rows().await.unwrap();
    store.rebuild_rollups().await.unwrap();
    let rebuilt = store.rollup_rows().await.unwrap();
    store.close().await;
    let after = schiedam_questions(&kept);
    assert!(
        after > 0 && after < serving,
        "Schiedam's questions {serving} -> {after}"
    );
    assert_eq!(kept.len(), rebuilt.len());
    assert_eq!(kept, rebuilt);
}

#[tokio::test]
async fn an_import_moves_questions_between_municipalities_on_sqlite() {
    let tmp = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", tmp.path().join("served.db").display());
    an_import_moves_questions_between_municipalities(&url, tmp.path()).await;
}

#[tokio::test]
async fn an_import_moves_questions_between_municipalities_on_postgres() {
    let Some(url) = postgres_database("served").await else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    an_import_moves_questions_between_municipalities(&url, tmp.path()).await;
}
