"""Files users have that numpynn does not read (spreadsheets, Parquet, SPSS, ARFF, ...):
what each is and the line that turns it into a CSV or NPZ file numpynn reads. The data
spec refuses them by their ending, the CSV reader the text ones by their lines."""

from __future__ import annotations

__all__ = ["OTHER_FORMATS", "TEXT_FORMATS", "conversion_message"]

#: files users have that numpynn does not read, and how to turn them into CSV
_PANDAS = "convert it with pandas: pd.read_{reader}({{path!r}}).to_csv('data.csv', index=False)"
OTHER_FORMATS = {
    (".xlsx", ".xlsm", ".xls", ".ods"): (
        "a spreadsheet workbook", "save the sheet as CSV (Save As > 'CSV UTF-8'), or "
        + _PANDAS.format(reader="excel")),
    (".parquet", ".pq"): ("a Parquet file", _PANDAS.format(reader="parquet")),
    (".feather", ".arrow"): ("an Arrow/Feather file", _PANDAS.format(reader="feather")),
    (".json",): ("a JSON file", _PANDAS.format(reader="json")),
    (".jsonl", ".ndjson"): ("a JSON Lines file (one JSON record a line)", "convert it with "
                            "pandas: pd.read_json({path!r}, lines=True).to_csv('data.csv', "
                            "index=False)"),
    (".sql",): ("an SQL script (CREATE TABLE, INSERT INTO ...), not a table",
                "run it into its database and export the table as CSV with a header: psql "
                "-c \"\\copy TABLE TO 'data.csv' CSV HEADER\", sqlite3 -header -csv DB.db "
                "'SELECT * FROM TABLE' > data.csv, or pd.read_sql('SELECT * FROM TABLE', "
                "connection).to_csv('data.csv', index=False)"),
    (".pkl", ".pickle"): ("a pickle (numpynn never unpickles a user's file: it can run code)",
                          "load it yourself and write a CSV, or save X and y with "
                          "np.savez('data.npz', X=X, y=y)"),
    (".h5", ".hdf5"): ("an HDF5 file", _PANDAS.format(reader="hdf")),
    (".npy",): ("a single NumPy array", "save features and labels together: "
                                        "np.savez('data.npz', X=X, y=y) (to predict on, "
                                        "the features alone: np.savez('data.npz', "
                                        "X=np.load({path!r})))"),
    (".sav", ".zsav", ".por"): ("an SPSS data file", _PANDAS.format(reader="spss")),
    (".dta",): ("a Stata data file", _PANDAS.format(reader="stata")),
    (".sas7bdat", ".xpt"): ("a SAS data set", _PANDAS.format(reader="sas")),
    (".rds", ".rda", ".rdata"): ("an R data file", "write it as CSV in R: "
                                 "write.csv(readRDS({path!r}), 'data.csv', row.names = FALSE)"
                                 " (for .RData: load() it, then write.csv the data frame)"),
    (".mat",): ("a MATLAB file", "load it with scipy.io.loadmat({path!r}) and save the "
                                 "features and labels with np.savez('data.npz', X=X, y=y)"),
    (".arff",): ("a Weka ARFF file", "convert it with SciPy and pandas: data, _ = "
                 "scipy.io.arff.loadarff({path!r}); pd.DataFrame(data).to_csv('data.csv', "
                 "index=False) (text values come as bytes: decode them first)"),
    (".docx", ".doc", ".odt", ".rtf"): (
        "a word-processor document", "copy its table into a spreadsheet and save the "
        "sheet as CSV (Save As > 'CSV UTF-8')"),
    (".pptx", ".ppt", ".odp"): (
        "a presentation", "copy its table into a spreadsheet and save the sheet as CSV "
        "(Save As > 'CSV UTF-8')"),
    (".svm", ".svmlight", ".libsvm"): (
        "an svmlight / LIBSVM file (label index:value ...)", "convert it with scikit-learn: "
        "X, y = sklearn.datasets.load_svmlight_file({path!r}); np.savez('data.npz', "
        "X=X.toarray(), y=y)"),
}
#: the description and the conversion of a text file in one of these formats whatever its
#: ending (a LIBSVM file named .txt), told by its first lines (the CSV reader's check)
TEXT_FORMATS = {"arff": OTHER_FORMATS[(".arff",)],
                "svmlight": OTHER_FORMATS[(".svm", ".svmlight", ".libsvm")],
                "json": OTHER_FORMATS[(".json",)],
                "jsonl": OTHER_FORMATS[(".jsonl", ".ndjson")],
                "sql": OTHER_FORMATS[(".sql",)]}


def conversion_message(path: str, kind: str, how: str) -> str:
    """The refusal of a file in a format numpynn does not read (``kind``, ``how``: an
    entry of :data:`OTHER_FORMATS`), with the conversion that makes it one it reads."""
    return (f"{path} is {kind}; numpynn reads CSV (.csv, .csv.gz, .tsv) and NPZ files: "
            f"{how.format(path=path)}, then give that file")
