package files

import "gorm.io/gorm"

// DB exposes the service's database to the external tests.
func (s *Service) DB() *gorm.DB { return s.db }
