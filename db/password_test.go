package db

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/text/unicode/norm"
)

// TestPasswordsMatchInEitherNormalForm: a Vietnamese password set from one keyboard
// (precomposed, NFC) is accepted when typed on another that sends it decomposed (NFD),
// and the other way round; a hash stored before passwords were normalized (the bytes as
// typed) still accepts those bytes; a wrong password is still refused.
func TestPasswordsMatchInEitherNormalForm(t *testing.T) {
	t.Parallel()
	d := openTest(t)
	ctx0 := context.Background()
	d.SetPasswordCost(bcrypt.MinCost)
	const pw = "Mật khẩu của phóng viên 2026"
	nfc, nfd := norm.NFC.String(pw), norm.NFD.String(pw)
	if nfc == nfd {
		t.Fatal("the password has no decomposable letters")
	}
	by := Actor{UserName: "test"}
	for _, tc := range []struct{ name, set, typed string }{
		{"nfc-set", nfc, nfd},
		{"nfd-set", nfd, nfc},
	} {
		if _, err := d.CreateUser(ctx0, by, time.Now(), NewUser{Name: tc.name, DisplayName: "Phóng viên", Role: RoleAuthor, Password: tc.set}); err != nil {
			t.Fatal(err)
		}
		for _, typed := range []string{tc.typed, tc.set} {
			if _, err := d.Authenticate(ctx0, tc.name, typed); err != nil {
				t.Errorf("%s: typed %q: %v", tc.name, []byte(typed)[:12], err)
			}
		}
		if _, err := d.Authenticate(ctx0, tc.name, nfc+"x"); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("%s: a wrong password: %v", tc.name, err)
		}
	}
	// A hash made before normalization, from decomposed bytes.
	old, err := bcrypt.GenerateFromPassword([]byte(nfd), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.CreateUser(ctx0, by, time.Now(), NewUser{Name: "cu", DisplayName: "Cũ", Role: RoleAuthor, Password: "tam-thoi-du-dai-12"}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.w.Exec(`UPDATE users SET password_hash = ? WHERE name = 'cu'`, string(old)); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Authenticate(ctx0, "cu", nfd); err != nil {
		t.Errorf("an old hash of the decomposed bytes refused them: %v", err)
	}
}

// TestPasswordsHashAtProductionCost: a database whose password cost nobody lowered (as
// every test fixture does) hashes at bcrypt's production work factor, 11.
func TestPasswordsHashAtProductionCost(t *testing.T) {
	t.Parallel()
	d := openTest(t)
	ctx := context.Background()
	if _, err := d.CreateUser(ctx, Actor{UserName: "test"}, time.Now(), NewUser{Name: "thuc", DisplayName: "Thực",
		Role: RoleAuthor, Password: "mat-khau-dai-du-12"}); err != nil {
		t.Fatal(err)
	}
	var hash string
	if err := d.r.QueryRow(`SELECT password_hash FROM users WHERE name = 'thuc'`).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if cost, err := bcrypt.Cost([]byte(hash)); err != nil || cost != 11 {
		t.Errorf("a new account's hash has cost %d (%v), want the production 11", cost, err)
	}
}
