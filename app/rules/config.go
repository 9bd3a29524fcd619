package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Config is what an organisation stores and edits as its rule
// configuration (GET/PUT /api/v1/rule/config): the rule set, who works
// which schedule, and imported holidays. An evaluation adds the
// employees, punches and approvals to make an Input.
type Config struct {
	Rules    RuleSet  `json:"rules"`
	Schedule Schedule `json:"schedule,omitzero"`
	Calendar Calendar `json:"calendar,omitzero"`
}

// ParseConfig decodes a configuration strictly (an unknown field is an
// error: a misspelt rule must not fall back to a default) and validates it.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("%w: %v", ErrInvalidRules, err)
	}
	if dec.More() {
		return c, fmt.Errorf("%w: data after the configuration", ErrInvalidRules)
	}
	return c, c.Validate()
}

// Validate checks the rule set, the calendar, and who works which
// schedule (Schedule.Validate).
func (c *Config) Validate() error {
	var errs []error
	if err := c.Rules.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Calendar.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Schedule.Validate(&c.Rules); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
