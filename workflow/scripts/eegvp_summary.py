"""Rule eegvp_summary: EEG-VP accuracy per task over subjects, as a table and a figure."""

import json

from eegdecode import log_to_file
from eegdecode.evaluation import summarize_eegvp
from eegdecode.fileio import write_csv
from eegdecode.report import plot_eegvp, save_figure

with log_to_file(snakemake.log[0]):
    documents = [json.loads(open(path).read()) for path in snakemake.input.reports]
    rows = summarize_eegvp({f"sub{doc['subject']}": doc["tasks"] for doc in documents})
    write_csv(snakemake.output.table, rows)
    title = f"EEG-VP on {documents[0]['dataset']}, {len(documents)} subjects, leave one block out"
    save_figure(plot_eegvp(rows, title=title), snakemake.output.figure)
