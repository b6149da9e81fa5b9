import pytest

from transforms.config import DEFAULT_CONFIG, ConfigError, load_config


def test_default_config_uses_the_synthetic_extract_and_repo_paths():
    cfg = load_config(DEFAULT_CONFIG, environ={})
    assert cfg.uses_synthetic_smr01
    assert cfg.reference_dir.name == "reference" and cfg.reference_dir.is_dir()
    assert cfg.period.financial_years == list(
        range(cfg.period.first_financial_year, cfg.period.last_financial_year + 1)
    )


def test_environment_overrides_point_the_pipeline_at_real_files(tmp_path):
    extract = tmp_path / "smr01_real.csv"
    cfg = load_config(
        DEFAULT_CONFIG,
        environ={
            "HSCP_INPUTS__SMR01": str(extract),
            "HSCP_PATHS__OUTPUT_DIR": str(tmp_path / "out"),
            "HSCP_PERIOD__FIRST_FINANCIAL_YEAR": "2021",
            "HSCP_PERIOD__LAST_FINANCIAL_YEAR": "2021",
        },
    )
    assert cfg.smr01 == extract and not cfg.uses_synthetic_smr01
    assert cfg.releases_dir == tmp_path / "out" / "releases"
    assert cfg.period.financial_years == [2021]


def test_hscp_config_names_another_file(tmp_path):
    other = tmp_path / "other.yml"
    other.write_text(DEFAULT_CONFIG.read_text().replace("output_dir: output", "output_dir: elsewhere"))
    cfg = load_config(environ={"HSCP_CONFIG": str(other)})
    assert cfg.source_file == other and cfg.output_dir.name == "elsewhere"


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"HSCP_INPUTS__NOPE": "x"}, "HSCP_INPUTS__NOPE names no setting"),
        (
            {"HSCP_PERIOD__FIRST_FINANCIAL_YEAR": "2024", "HSCP_PERIOD__LAST_FINANCIAL_YEAR": "2020"},
            "first_financial_year is after",
        ),
        ({"HSCP_CONFIG": "/nonexistent/pipeline.yml"}, "configuration file not found"),
    ],
)
def test_bad_configuration_is_refused_with_a_clear_message(environ, message):
    with pytest.raises(ConfigError, match=message):
        load_config(environ=environ)


def test_every_restricted_extract_is_synthetic_by_default_or_a_given_path(tmp_path):
    cfg = load_config(DEFAULT_CONFIG, environ={})
    assert cfg.synthetic_extracts == ["smr01_episodes", "ae_attendances", "delayed_discharges", "deaths"]
    real = tmp_path / "ae.parquet"
    cfg = load_config(DEFAULT_CONFIG, environ={"HSCP_INPUTS__AE_ATTENDANCES": str(real)})
    assert cfg.extracts["ae_attendances"] == real
    assert "ae_attendances" not in cfg.synthetic_extracts


def test_published_aggregates_can_be_switched_off_or_pointed_elsewhere(tmp_path):
    cfg = load_config(
        DEFAULT_CONFIG,
        environ={
            "HSCP_INPUTS__PUBLIC_AE_MONTHLY": "none",
            "HSCP_INPUTS__PUBLIC_ADMISSIONS_HSCP_SIMD": str(tmp_path / "a.csv"),
        },
    )
    assert cfg.public == {"public_admissions_hscp_simd": tmp_path / "a.csv"}
    assert cfg.optional_inputs == {"public_admissions_hscp_simd", "public_ae_monthly"}


def test_only_published_aggregates_may_be_optional():
    with pytest.raises(ConfigError, match="inputs.optional must list some of"):
        load_config(DEFAULT_CONFIG, environ={"HSCP_INPUTS__OPTIONAL": "[smr01]"})


def test_an_absent_optional_input_is_left_out_and_reported(tmp_path):
    from transforms import inputs

    absent = tmp_path / "not_here.csv"
    cfg = load_config(
        DEFAULT_CONFIG,
        environ={"HSCP_INPUTS__PUBLIC_AE_MONTHLY": str(absent), "HSCP_INPUTS__PUBLIC_ADMISSIONS_HSCP_SIMD": "none"},
    )
    names = [f.name for f in inputs.input_files(cfg)]
    assert "public_ae_monthly" not in names and "public_admissions_hscp_simd" not in names
    assert inputs.missing_optional_inputs(cfg) == ["public_ae_monthly"]
    # The same file, no longer optional, is kept: ingest then fails on it, naming it.
    cfg = load_config(
        DEFAULT_CONFIG, environ={"HSCP_INPUTS__PUBLIC_AE_MONTHLY": str(absent), "HSCP_INPUTS__OPTIONAL": "[]"}
    )
    assert [f.path for f in inputs.input_files(cfg) if f.name == "public_ae_monthly"] == [absent]
    assert inputs.missing_optional_inputs(cfg) == []


def test_the_settings_that_were_environment_variables_are_keys_of_the_file():
    cfg = load_config(DEFAULT_CONFIG, environ={})
    assert (cfg.disclosure_threshold, cfg.lock_timeout_seconds, cfg.task_retries, cfg.synthetic_scale) == (
        5,
        1800.0,
        1,
        1.0,
    )
    assert cfg.limits_for("locality_lookup").max_file_bytes == 64 * 2**20
    assert cfg.limits_for("smr01_episodes").max_file_bytes == 2 * 2**30
    assert cfg.limits_for("deaths").max_line_bytes == 2**20
    cfg = load_config(
        DEFAULT_CONFIG,
        environ={
            "HSCP_AIRFLOW__TASK_RETRIES": "0",
            "HSCP_SYNTHETIC__SCALE": "0.05",
            "HSCP_LIMITS__MAX_LINE_BYTES": "4096",
            "HSCP_LIMITS__MAX_FILE_BYTES": "{smr01_episodes: 1024}",
        },
    )
    assert (cfg.task_retries, cfg.synthetic_scale) == (0, 0.05)
    # A mapping override changes only the inputs it names.
    assert cfg.limits_for("smr01_episodes").max_file_bytes == 1024
    assert cfg.limits_for("locality_lookup").max_file_bytes == 64 * 2**20
    assert cfg.limits_for("smr01_episodes").max_line_bytes == 4096


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"HSCP_AIRFLOW__TASK_RETRIES": "-1"}, "airflow.task_retries must be at least 0"),
        ({"HSCP_AIRFLOW__TASK_RETRIES": "1.5"}, "airflow.task_retries must be a whole number"),
        ({"HSCP_SYNTHETIC__SCALE": "0"}, "synthetic.scale must be at least"),
        ({"HSCP_LIMITS__MAX_LINE_BYTES": "many"}, "limits.max_line_bytes must be a whole number"),
        ({"HSCP_LIMITS__MAX_FILE_BYTES": "1024"}, "HSCP_LIMITS__MAX_FILE_BYTES must be a YAML mapping"),
        ({"HSCP_LIMITS__MAX_FILE_BYTES": "{deaths: 0}"}, "limits.max_file_bytes.deaths must be at least 1"),
        ({"HSCP_DISCLOSURE__THRESHOLD": "true"}, "disclosure.threshold must be a whole number"),
    ],
)
def test_a_setting_of_the_wrong_kind_is_refused_naming_it(environ, message):
    with pytest.raises(ConfigError, match=message):
        load_config(DEFAULT_CONFIG, environ=environ)


def test_peer_families_are_computed_unless_a_csv_is_configured(tmp_path):
    assert load_config(DEFAULT_CONFIG, environ={}).peer_families is None
    own = tmp_path / "families.csv"
    assert load_config(DEFAULT_CONFIG, environ={"HSCP_COMPARISONS__PEER_FAMILIES": str(own)}).peer_families == own
    relative = load_config(DEFAULT_CONFIG, environ={"HSCP_COMPARISONS__PEER_FAMILIES": "config/families.csv"})
    assert relative.peer_families == DEFAULT_CONFIG.parent / "families.csv"  # resolved against the repository
    with pytest.raises(ConfigError, match="comparisons.peer_families must be a non-empty path"):
        load_config(DEFAULT_CONFIG, environ={"HSCP_COMPARISONS__PEER_FAMILIES": "[a, b]"})
