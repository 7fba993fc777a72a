package store

import (
	"database/sql"

	"github.com/jackc/pgx/v5"
)

type (
	pgxTx = pgx.Tx
	sqlTx = *sql.Tx
)
